import Foundation

/// Canonical values to and from PostgreSQL's text forms (pure).
///
/// Reads select every column as text under fixed session settings (ISO dates, UTC, ISO intervals, hex
/// bytea), so each type's own output function produces exact text; writes bind text and cast it to the
/// column type. Nothing passes through a binary float or a locale.
package enum PostgresValueCodec {
    /// Session settings the text forms rely on.
    package static let sessionParameters: [(String, String)] = [
        ("DateStyle", "ISO, YMD"), ("TimeZone", "UTC"), ("IntervalStyle", "iso_8601"),
        ("bytea_output", "hex"), ("extra_float_digits", "3"),
    ]

    /// How a column is read: most as exact text, a few fixed-width types in PostgreSQL's binary form
    /// (exact too, and cheaper on both ends of a snapshot copy).
    package enum ReadForm: Sendable, Equatable {
        case integer
        case boolean
        case double
        case uuid
        case date
        case timestamp
        case timestampWithZone
        case text
    }

    /// The read form of a column of `nativeType` (a `format_type()` spelling).
    package static func readForm(nativeType: String) -> ReadForm {
        switch nativeType {
        case "smallint", "integer", "bigint": .integer
        case "boolean": .boolean
        // float4 stays text: its shortest text form is what row images carry, and they must agree.
        case "double precision": .double
        case "uuid": .uuid
        case "date": .date
        case let type where type.hasPrefix("timestamp") && type.hasSuffix("without time zone"): .timestamp
        case let type where type.hasPrefix("timestamp") && type.hasSuffix("with time zone"): .timestampWithZone
        default: .text
        }
    }

    /// The select-list expression reading `column` in its read form.
    package static func readExpression(_ quotedColumn: String, nativeType: String) -> String {
        switch (nativeType, readForm(nativeType: nativeType)) {
        case ("money", _): "\(quotedColumn)::numeric::text"
        case (_, .text): "\(quotedColumn)::text"
        default: quotedColumn
        }
    }

    /// The canonical value of a column's text output (nil text is NULL).
    package static func decode(_ text: String?, as type: CanonicalType) throws -> CanonicalValue {
        guard let text else { return .null }
        switch type {
        case .integer:
            guard let value = Int64(text) else { throw invalid(text, type) }
            return .integer(value)
        case .decimal, .money:
            // Money in a row image prints as `-$1,234.56` (lc_monetary C): keep the digits.
            return .decimal(text.utf8.contains(UInt8(ascii: "$")) ? text.filter { $0 != "$" && $0 != "," } : text)
        case .float:
            guard let value = Double(text) else { throw invalid(text, type) }
            return .float(value)
        case .boolean: return .boolean(text == "t" || text == "true")
        case .binary, .rowVersion:
            guard text.hasPrefix("\\x"), let bytes = HexBytes.decode(text.dropFirst(2)) else { throw invalid(text, type) }
            return .binary(bytes)
        case .uuid:
            guard let uuid = UUIDText.parse(text) else { throw invalid(text, type) }
            return .uuid(uuid)
        case .date: return .date(text)
        case .time: return .time(TemporalText.normalizeOffset(text))
        case let .timestamp(_, withZone):
            return withZone ? .timestampWithZone(TemporalText.normalizeOffset(text)) : .timestamp(text)
        case .interval: return .interval(text)
        case .json: return .json(text)
        case .xml: return .xml(text)
        case .geometry:
            guard let bytes = HexBytes.decode(text) else { throw invalid(text, type) }
            return .geometry(bytes)
        case let .array(element):
            return try decodeArray(PostgresLiteral.parseArray(text), element)
        case .text, .enumeration, .networkAddress, .range, .hierarchyID, .textSearch, .unknown:
            return .text(text)
        }
    }

    private static func decodeArray(_ elements: [PostgresLiteral.ArrayElement], _ type: CanonicalType) throws -> CanonicalValue {
        .array(
            try elements.map { element in
                switch element {
                case .null: .null
                case let .value(text): try decode(text, as: type)
                case let .array(inner): try decodeArray(inner, type)
                }
            })
    }

    /// The text to bind for a value (nil for NULL); the statement casts it to the column type.
    package static func encode(_ value: CanonicalValue) -> String? {
        switch value {
        case .null: nil
        case let .boolean(flag): flag ? "true" : "false"
        case let .integer(number): String(number)
        case let .decimal(digits): digits
        case let .float(number): FloatText.render(number)
        case let .text(text), let .date(text), let .time(text), let .timestamp(text), let .timestampWithZone(text),
            let .interval(text), let .json(text), let .xml(text):
            text
        case let .binary(bytes): "\\x" + HexBytes.encode(bytes)
        case let .uuid(uuid): UUIDText.lowercase(uuid)
        case let .geometry(bytes): HexBytes.encode(bytes)
        case let .array(elements): PostgresLiteral.renderArray(elements.map(arrayElement))
        }
    }

    private static func arrayElement(_ value: CanonicalValue) -> PostgresLiteral.ArrayElement {
        switch value {
        case .null: .null
        case let .array(inner): .array(inner.map(arrayElement))
        default: .value(encode(value) ?? "")
        }
    }

    private static func invalid(_ text: String, _ type: CanonicalType) -> ConnectorError {
        ConnectorError(.invalidValue, "'\(text.prefix(40))' is not a valid \(type) value")
    }
}
