import Foundation

/// Canonical values to and from PostgreSQL's text forms (pure).
///
/// Reads select every column as text under fixed session settings (ISO dates, UTC, ISO intervals, hex
/// bytea), so each type's own output function produces exact text; writes bind text and cast it to the
/// column type. Nothing passes through a binary float or a locale.
public enum PostgresValueCodec {
    /// Session settings the text forms rely on.
    public static let sessionParameters: [(String, String)] = [
        ("DateStyle", "ISO, YMD"), ("TimeZone", "UTC"), ("IntervalStyle", "iso_8601"),
        ("bytea_output", "hex"), ("extra_float_digits", "3"),
    ]

    /// The select-list expression reading `column` as exact text.
    public static func readExpression(_ quotedColumn: String, nativeType: String) -> String {
        nativeType == "money" ? "\(quotedColumn)::numeric::text" : "\(quotedColumn)::text"
    }

    /// The canonical value of a column's text output (nil text is NULL).
    public static func decode(_ text: String?, as type: CanonicalType) throws -> CanonicalValue {
        guard let text else { return .null }
        switch type {
        case .integer:
            guard let value = Int64(text) else { throw invalid(text, type) }
            return .integer(value)
        case .decimal, .money:
            // Money in a row image prints as `-$1,234.56` (lc_monetary C): keep the digits.
            return .decimal(text.contains("$") ? text.filter { $0 != "$" && $0 != "," } : text)
        case .float:
            guard let value = Double(text) else { throw invalid(text, type) }
            return .float(value)
        case .boolean: return .boolean(text == "t" || text == "true")
        case .binary, .rowVersion:
            guard text.hasPrefix("\\x"), let bytes = HexBytes.decode(text.dropFirst(2)) else { throw invalid(text, type) }
            return .binary(bytes)
        case .uuid:
            guard let uuid = UUID(uuidString: text) else { throw invalid(text, type) }
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
        .array(try elements.map { element in
            switch element {
            case .null: .null
            case let .value(text): try decode(text, as: type)
            case let .array(inner): try decodeArray(inner, type)
            }
        })
    }

    /// The text to bind for a value (nil for NULL); the statement casts it to the column type.
    public static func encode(_ value: CanonicalValue) -> String? {
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
        case let .uuid(uuid): uuid.uuidString.lowercased()
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

/// Floating-point numbers as the shortest text that reads back to the same value.
public enum FloatText {
    /// `Infinity`, `-Infinity`, `NaN`, or Swift's shortest round-trip form.
    public static func render(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return "\(value)"
    }
}

/// Small normalizations of temporal text shared by the engines.
public enum TemporalText {
    /// `…+05` -> `…+05:00`, `…-0330` -> `…-03:30`; text without an offset is returned unchanged.
    public static func normalizeOffset(_ text: String) -> String {
        let bytes = Array(text.utf8)
        // The offset sign comes after the time part (position >= 8 avoids the date's hyphens).
        guard let signIndex = bytes.indices.reversed().first(where: {
            $0 >= 8 && (bytes[$0] == UInt8(ascii: "+") || bytes[$0] == UInt8(ascii: "-"))
        }) else { return text }
        let head = String(decoding: bytes[..<signIndex], as: UTF8.self)
        let sign = String(UnicodeScalar(bytes[signIndex]))
        let digits = String(decoding: bytes[(signIndex + 1)...], as: UTF8.self).replacingOccurrences(of: ":", with: "")
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isNumber) else { return text }
        let hours = digits.prefix(2)
        let minutes = digits.count == 4 ? String(digits.suffix(2)) : "00"
        return "\(head)\(sign)\(hours):\(minutes)"
    }
}
