/// The stored form of `Codable` (`{"decimal":"1.50"}`, `null`), written straight into bytes: journals that
/// keep many row images (undo) spend most of their time in a `JSONEncoder` otherwise. `JSONDecoder` reads it
/// back as the `Codable` form.
extension CanonicalValue {
    public func appendStoredJSON(to bytes: inout [UInt8]) {
        switch storedForm {
        case .null:
            bytes += Array("null".utf8)
        case let .boolean(flag):
            bytes += Array((flag ? "{\"boolean\":true}" : "{\"boolean\":false}").utf8)
        case let .text(kind, text):
            bytes += Array("{\"\(kind.rawValue)\":".utf8)
            StoredJSONText.appendString(text, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        case let .array(values):
            bytes += Array("{\"array\":".utf8)
            StoredJSONText.appendArray(values, to: &bytes) { $0.appendStoredJSON(to: &$1) }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// JSON strings and arrays, written into bytes.
public enum StoredJSONText {
    /// Appends `[` the elements, each written by `element`, separated by commas `]`.
    public static func appendArray<Element>(_ elements: some Sequence<Element>, to bytes: inout [UInt8],
                                            _ element: (Element, inout [UInt8]) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(item, &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

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
