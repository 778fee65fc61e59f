/// The escapes of a JSON string (RFC 8259, section 7), read the same way by the hub's JSON readers
/// (`StoredJSONReader`, and the generated APIs' request bodies).
package enum JSONEscape {
    package enum Failure: Error, Sendable {
        case truncated, unknownEscape, badHexDigits, unpairedSurrogate

        /// What went wrong, in words.
        package var message: String {
            switch self {
            case .truncated: "the escape is cut short"
            case .unknownEscape: "an unknown escape"
            case .badHexDigits: "four hex digits were expected after \\u"
            case .unpairedSurrogate: "an unpaired surrogate"
            }
        }
    }

    /// The character escaped at `index` (just after a backslash); moves `index` past the escape.
    package static func scalar(in bytes: [UInt8], at index: inout Int) throws(Failure) -> Unicode.Scalar {
        guard index < bytes.count else { throw .truncated }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            var code = try hexQuad(bytes, &index)
            if (0xD800..<0xDC00).contains(code) {
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw .unpairedSurrogate
                }
                index += 2
                let low = try hexQuad(bytes, &index)
                guard (0xDC00..<0xE000).contains(low) else { throw .unpairedSurrogate }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw .unpairedSurrogate }
            return scalar
        default:
            throw .unknownEscape
        }
    }

    /// Exactly four hex digits (no sign, no space).
    private static func hexQuad(_ bytes: [UInt8], _ index: inout Int) throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw .badHexDigits }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else { throw .badHexDigits }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
