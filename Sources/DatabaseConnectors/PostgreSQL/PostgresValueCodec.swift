import Foundation
import NIOCore

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

    /// How a column is read: most as exact text, a few fixed-width types in PostgreSQL's binary form
    /// (exact too, and cheaper on both ends of a snapshot copy).
    public enum ReadForm: Sendable, Equatable {
        case integer
        case boolean
        case double
        case uuid
        case timestamp
        case timestampWithZone
        case text
    }

    /// The read form of a column of `nativeType` (a `format_type()` spelling).
    public static func readForm(nativeType: String) -> ReadForm {
        switch nativeType {
        case "smallint", "integer", "bigint": .integer
        case "boolean": .boolean
        // float4 stays text: its shortest text form is what row images carry, and they must agree.
        case "double precision": .double
        case "uuid": .uuid
        case let type where type.hasPrefix("timestamp") && type.hasSuffix("without time zone"): .timestamp
        case let type where type.hasPrefix("timestamp") && type.hasSuffix("with time zone"): .timestampWithZone
        default: .text
        }
    }

    /// The select-list expression reading `column` in its read form.
    public static func readExpression(_ quotedColumn: String, nativeType: String) -> String {
        switch (nativeType, readForm(nativeType: nativeType)) {
        case ("money", _): "\(quotedColumn)::numeric::text"
        case (_, .text): "\(quotedColumn)::text"
        default: quotedColumn
        }
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
        // Fast path for what a UTC session prints.
        if text.hasSuffix("+00") { return text + ":00" }
        if text.hasSuffix("+00:00") { return text }
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

/// UUIDs to and from text without Foundation's scanner (a hot path of snapshot copies).
public enum UUIDText {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case); nil otherwise.
    public static func parse(_ text: String) -> UUID? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0
        var high: UInt8?
        for (position, character) in text.utf8.enumerated() {
            if character == UInt8(ascii: "-") {
                guard [8, 13, 18, 23].contains(position), high == nil else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                guard count < 16 else { return nil }
                bytes[count] = first << 4 | nibble
                count += 1
                high = nil
            } else {
                high = nibble
            }
        }
        guard count == 16, high == nil, text.utf8.count == 36 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Writes the lowercase text form into `buffer`.
    static func write(_ uuid: UUID, to buffer: inout ByteBuffer) {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { buffer.writeInteger(UInt8(ascii: "-")) }
                buffer.writeInteger(digits[Int(byte >> 4)])
                buffer.writeInteger(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase.
    public static func lowercase(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { output in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        output[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    output[position] = digits[Int(byte >> 4)]
                    output[position + 1] = digits[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }
}
