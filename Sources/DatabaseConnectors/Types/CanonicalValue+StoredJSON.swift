/// The stored form of `Codable` (`{"decimal":"1.50"}`, `null`), written straight into bytes: journals that
/// keep many row images (undo) spend most of their time in a `JSONEncoder` otherwise. `JSONDecoder` reads it
/// back as the `Codable` form, and `readStored` without it.
extension CanonicalValue {
    package func appendStoredJSON(to bytes: inout [UInt8]) {
        switch storedForm {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case let .boolean(flag):
            bytes.append(contentsOf: (flag ? "{\"boolean\":true}" : "{\"boolean\":false}").utf8)
        case let .text(kind, text):
            bytes.append(contentsOf: "{\"".utf8)
            bytes.append(contentsOf: kind.rawValue.utf8)
            bytes.append(contentsOf: "\":".utf8)
            StoredJSONText.appendString(text, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        case let .array(values):
            bytes.append(contentsOf: "{\"array\":".utf8)
            StoredJSONText.appendArray(values, to: &bytes) { $0.appendStoredJSON(to: &$1) }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

/// JSON strings and arrays, written into bytes.
package enum StoredJSONText {
    /// Appends `[` the elements, each written by `element`, separated by commas `]`.
    package static func appendArray<Element>(
        _ elements: some Sequence<Element>, to bytes: inout [UInt8],
        _ element: (Element, inout [UInt8]) -> Void
    ) {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            element(item, &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped.
    package static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hexDigit(byte >> 4))
                bytes.append(hexDigit(byte & 0x0f))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The lowercase hex digit of `nibble` (0-15).
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
