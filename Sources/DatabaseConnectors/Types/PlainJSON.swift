import Foundation

/// A JSON value as people read and write rows: numbers, strings, booleans, arrays, objects.
package indirect enum PlainJSON: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([PlainJSON])
    case object([String: PlainJSON])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([PlainJSON].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: PlainJSON].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(flag): try container.encode(flag)
        case let .integer(number): try container.encode(number)
        case let .number(number): try container.encode(number)
        case let .string(text): try container.encode(text)
        case let .array(items): try container.encode(items)
        case let .object(fields): try container.encode(fields)
        }
    }
}

/// Canonical values to and from their plain JSON form (the one API users see).
///
/// Decimals are strings (exact digits); binary and spatial values are `\x`-prefixed hex (as PostgreSQL
/// prints bytea); temporal values are their ISO text; JSON columns are embedded as JSON.
package enum PlainJSONCodec {
    /// The plain JSON form of a value.
    package static func render(_ value: CanonicalValue) -> PlainJSON {
        switch value {
        case .null: .null
        case let .boolean(flag): .bool(flag)
        case let .integer(number): .integer(number)
        case let .float(number): number.isFinite ? .number(number) : .string(FloatText.render(number))
        case let .decimal(text), let .text(text), let .date(text), let .time(text), let .timestamp(text),
            let .timestampWithZone(text), let .interval(text), let .xml(text):
            .string(text)
        case let .json(text): (try? JSONDecoder().decode(PlainJSON.self, from: Data(text.utf8))) ?? .string(text)
        case let .binary(bytes), let .geometry(bytes): .string("\\x" + HexBytes.encode(bytes))
        case let .uuid(uuid): .string(UUIDText.lowercase(uuid))
        case let .array(items): .array(items.map(render))
        }
    }

    /// The canonical value of `json` for a column of `type`; the error names `column`.
    package static func parse(_ json: PlainJSON, as type: CanonicalType, column: String) throws -> CanonicalValue {
        func invalid(_ expected: String) -> ConnectorError {
            ConnectorError(.invalidValue, "column '\(column)': expected \(expected)")
        }
        if case .null = json { return .null }
        switch (type, json) {
        case let (.integer, .integer(number)): return .integer(number)
        case let (.integer, .string(text)):
            guard let number = Int64(text) else { throw invalid("an integer") }
            return .integer(number)
        case (.integer, _): throw invalid("an integer")
        case let (.decimal, .integer(number)), let (.money, .integer(number)): return .decimal(String(number))
        case let (.decimal, .number(number)), let (.money, .number(number)): return .decimal(FloatText.render(number))
        case let (.decimal, .string(text)), let (.money, .string(text)):
            guard Double(text) != nil || text == "NaN" else { throw invalid("a decimal number") }
            return .decimal(text)
        case (.decimal, _), (.money, _): throw invalid("a decimal number (a string keeps every digit)")
        case let (.float, .number(number)): return .float(number)
        case let (.float, .integer(number)): return .float(Double(number))
        case let (.float, .string(text)):
            guard let number = Double(text) else { throw invalid("a number") }
            return .float(number)
        case (.float, _): throw invalid("a number")
        case let (.boolean, .bool(flag)): return .boolean(flag)
        case (.boolean, _): throw invalid("true or false")
        case let (.uuid, .string(text)):
            guard let uuid = UUIDText.parse(text) else { throw invalid("a UUID") }
            return .uuid(uuid)
        case let (.binary, .string(text)), let (.rowVersion, .string(text)), let (.geometry, .string(text)):
            guard let bytes = HexBytes.decode(text.hasPrefix("\\x") ? text.dropFirst(2) : Substring(text)) else {
                throw invalid("hex bytes (\\x…)")
            }
            if case .geometry = type { return .geometry(bytes) }
            return .binary(bytes)
        case let (.json, value):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return .json(String(decoding: try encoder.encode(value), as: UTF8.self))
        case let (.array(element), .array(items)):
            return .array(try items.map { try parse($0, as: element, column: column) })
        case let (.date, .string(text)): return .date(text)
        case let (.time, .string(text)): return .time(text)
        case let (.timestamp(_, withZone), .string(text)): return withZone ? .timestampWithZone(text) : .timestamp(text)
        case let (.interval, .string(text)): return .interval(text)
        case let (.xml, .string(text)): return .xml(text)
        case let (_, .string(text)): return .text(text)
        default: throw invalid("a string")
        }
    }
}
