import Foundation

/// Canonical values to and from the text forms SQL Server statements read and write (pure).
///
/// Reads convert every column to text in SQL with explicit styles (ISO 8601, hex binary, WKB hex); writes
/// bind nvarchar parameters converted back with the same styles. Precision limits: SQL Server keeps 100 ns,
/// the canonical form microseconds, so the seventh fractional digit is dropped on the way out.
package enum SQLServerValueCodec {
    /// The canonical value of a column's text (nil is NULL).
    package static func decode(_ text: String?, as type: CanonicalType) throws -> CanonicalValue {
        guard let text else { return .null }
        switch type {
        case .boolean: return .boolean(text == "1")
        case .binary, .rowVersion:
            guard let bytes = HexBytes.decode(text) else { throw invalid(text, type) }
            return .binary(bytes)
        case .geometry:
            guard let bytes = HexBytes.decode(text) else { throw invalid(text, type) }
            return .geometry(bytes)
        case .date: return .date(text)
        case .time: return .time(microseconds(text))
        case let .timestamp(_, withZone):
            let value = microseconds(text.replacingOccurrences(of: "T", with: " "))
            return withZone
                ? .timestampWithZone(TemporalText.normalizeOffset(value.replacingOccurrences(of: "Z", with: "+00:00")))
                : .timestamp(value)
        case .hierarchyID: return .text(text)
        case let .array(element): return try ArrayJSON.decode(text, element)
        default: return try PostgresValueCodec.decode(text, as: type)
        }
    }

    /// The nvarchar text to bind for a value (nil is NULL).
    package static func encode(_ value: CanonicalValue) -> String? {
        switch value {
        case .null: nil
        case let .boolean(flag): flag ? "1" : "0"
        case let .binary(bytes), let .geometry(bytes): HexBytes.encode(bytes)
        case let .timestamp(text), let .timestampWithZone(text): text.replacingOccurrences(of: " ", with: "T")
        case let .array(elements): ArrayJSON.encode(elements)
        default: PostgresValueCodec.encode(value)
        }
    }

    /// Keeps at most six fractional digits of a time text (`…05.1234567+01:00` -> `…05.123456+01:00`).
    static func microseconds(_ text: String) -> String {
        guard let dot = text.firstIndex(of: ".") else { return text }
        let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
        guard digits.count > 6 else { return text }
        return String(text[...dot]) + digits.prefix(6) + text[digits.endIndex...]
    }

    private static func invalid(_ text: String, _ type: CanonicalType) -> ConnectorError {
        ConnectorError(.invalidValue, "'\(text.prefix(40))' is not a valid \(type) value")
    }
}
