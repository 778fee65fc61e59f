/// The stored form of `Codable` (`{"decimal":"1.50"}`, `null`), written straight into bytes: journals that
/// keep many row images (undo) spend most of their time in a `JSONEncoder` otherwise. `JSONDecoder` reads it
/// back as the `Codable` form.
extension CanonicalValue {
    public func appendStoredJSON(to bytes: inout [UInt8]) {
        func kind(_ name: String, _ text: String) {
            bytes += Array("{\"\(name)\":".utf8)
            StoredJSONText.appendString(text, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        switch self {
        case .null: bytes += Array("null".utf8)
        case let .boolean(flag): bytes += Array((flag ? "{\"boolean\":true}" : "{\"boolean\":false}").utf8)
        case let .integer(number): kind("integer", String(number))
        case let .decimal(digits): kind("decimal", digits)
        case let .float(number): kind("float", FloatText.render(number))
        case let .text(text): kind("text", text)
        case let .binary(bytesValue): kind("binary", HexBytes.encode(bytesValue))
        case let .geometry(bytesValue): kind("geometry", HexBytes.encode(bytesValue))
        case let .uuid(uuid): kind("uuid", UUIDText.lowercase(uuid))
        case let .date(text): kind("date", text)
        case let .time(text): kind("time", text)
        case let .timestamp(text): kind("timestamp", text)
        case let .timestampWithZone(text): kind("timestamptz", text)
        case let .interval(text): kind("interval", text)
        case let .json(text): kind("json", text)
        case let .xml(text): kind("xml", text)
        case let .array(values):
            bytes += Array("{\"array\":[".utf8)
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                value.appendStoredJSON(to: &bytes)
            }
            bytes += Array("]}".utf8)
        }
    }
}

/// JSON string literals, written into bytes.
public enum StoredJSONText {
    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped.
    public static func appendString(_ text: String, to bytes: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes += Array("\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0f)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
