import Foundation

extension JSONForm {
    /// A JSON value that does not fit its column.
    package struct Mismatch: Error, Sendable, Equatable {
        package let column: String
        /// What the column takes, in words ("an integer").
        package let expected: String
        /// The start of the value sent.
        package let got: String

        /// The column and what it takes, in words.
        package var message: String { "invalid value for column '\(column)': expected \(expected)" }
    }

    /// The canonical value of `json` for a column of `type`: the forms `write` gives, plus numbers sent as
    /// strings (as PostgREST accepts them) and `\x` hex for binary (as PostgreSQL prints it).
    package static func canonical(_ json: JSONValue, type: CanonicalType, column: String) throws(Mismatch) -> CanonicalValue {
        func invalid(_ expected: String) -> Mismatch { Mismatch(column: column, expected: expected, got: String(json.text.prefix(80))) }
        if case .null = json { return .null }
        switch (type, json) {
        case let (.integer, .number(text)), let (.integer, .string(text)):
            guard let number = Int64(text) else { throw invalid("an integer") }
            return .integer(number)
        case let (.decimal, .number(text)), let (.money, .number(text)):
            return .decimal(text)
        case let (.decimal, .string(text)), let (.money, .string(text)):
            guard JSONText.isNumber(text) || ["NaN", "Infinity", "-Infinity"].contains(text) else { throw invalid("a decimal number") }
            return .decimal(text)
        case let (.float, .number(text)), let (.float, .string(text)):
            guard let number = Double(text) ?? nonFinite(text) else { throw invalid("a number") }
            return .float(number)
        case let (.boolean, .bool(flag)): return .boolean(flag)
        case let (.boolean, .string(text)):
            switch text.lowercased() {
            case "true", "t", "1": return .boolean(true)
            case "false", "f", "0": return .boolean(false)
            default: throw invalid("true or false")
            }
        case let (.uuid, .string(text)):
            guard let uuid = UUID(uuidString: text) else { throw invalid("a UUID") }
            return .uuid(uuid)
        case let (.binary, .string(text)), let (.rowVersion, .string(text)):
            guard let bytes = binary(text) else { throw invalid("base64 (or \\x-prefixed hex) bytes") }
            return .binary(bytes)
        case let (.json, value):
            return .json(value.text)
        case (.geometry, .object):  // GeoJSON, which PostGIS reads as a geometry's text
            return .text(json.text)
        case let (.geometry, .string(text)):  // `\x` hex (E)WKB, or WKT/EWKT/hex text for the engine to read
            if text.hasPrefix("\\x"), let bytes = HexBytes.decode(text.dropFirst(2)) { return .geometry(bytes) }
            return .text(text)
        case let (.array(element), .array(items)):
            var values: [CanonicalValue] = []
            for item in items { values.append(try canonical(item, type: element, column: column)) }
            return .array(values)
        case let (.date, .string(text)): return .date(text)
        case let (.time, .string(text)): return .time(text)
        case let (.timestamp(_, withZone), .string(text)): return withZone ? .timestampWithZone(text) : .timestamp(text)
        case let (.interval, .string(text)): return .interval(text)
        case let (.xml, .string(text)): return .xml(text)
        case (.integer, _), (.decimal, _), (.money, _), (.float, _), (.boolean, _), (.uuid, _), (.binary, _), (.rowVersion, _),
            (.geometry, _), (.array, _), (.date, _), (.time, _), (.timestamp, _), (.interval, _), (.xml, _):
            throw invalid(expectation(type))
        // An object or array written to a text column is kept as its JSON text (JSON in SQLite's TEXT, and
        // what PostgreSQL's record functions make of it for PostgREST).
        case (.text, .object), (.text, .array): return .text(json.text)
        case let (_, .string(text)): return .text(text)
        case let (_, .number(text)): return .text(text)
        case let (_, .bool(flag)): return .text(flag ? "true" : "false")
        default: throw invalid("a string")
        }
    }

    /// base64 (what reads return) or `\x` hex (what PostgreSQL prints).
    static func binary(_ text: String) -> [UInt8]? {
        if text.hasPrefix("\\x") { return HexBytes.decode(text.dropFirst(2)) }
        return Data(base64Encoded: text).map { Array($0) }
    }

    private static func nonFinite(_ text: String) -> Double? {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: nil
        }
    }

    private static func expectation(_ type: CanonicalType) -> String {
        switch type {
        case .integer: "an integer"
        case .decimal, .money, .float: "a number"
        case .boolean: "true or false"
        case .array: "an array"
        case .geometry: "GeoJSON or a string"
        default: "a string"
        }
    }
}
