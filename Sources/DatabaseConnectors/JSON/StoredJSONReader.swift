/// Reads JSON straight from its bytes, value by value, for the stored forms the hub writes itself (row
/// images in undo journals, see `appendStoredJSON`): a reader of a million-row job's images through
/// `JSONDecoder` spent most of a rollback's time there.
///
/// Strict JSON (RFC 8259) for what it reads; errors name the byte offset.
package struct StoredJSONReader {
    private let bytes: [UInt8]
    private var index = 0

    /// A reader over `text`.
    package init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Throws unless only white space is left.
    package mutating func expectEnd() throws {
        skipSpace()
        guard index == bytes.count else { throw failure("unexpected text after the value") }
    }

    /// Consumes `null` and answers true when it is next; else consumes nothing.
    package mutating func null() throws -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    package mutating func bool() throws -> Bool {
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    /// A number without fraction or exponent that fits 64 bits.
    package mutating func int64() throws -> Int64 {
        skipSpace()
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard let value = Int64(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw failure("expected an integer")
        }
        return value
    }

    package mutating func string() throws -> String {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string") }
        index += 1
        let start = index
        // The common case, no escapes: one copy of the bytes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { throw failure("control character in a string") }
            index += 1
        }
        guard index < bytes.count else { throw failure("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<index - 1], as: UTF8.self)
        }
        var output = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try unescape(into: &output)
            case 0..<0x20:
                throw failure("control character in a string")
            default:
                output.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    /// Reads `[` elements `]`, each by `element`.
    package mutating func array(_ element: (inout StoredJSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        if try take(UInt8(ascii: "]")) { return }
        repeat {
            try element(&self)
        } while try take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// Reads `{` members `}`, each value by `member`, given its key.
    package mutating func object(_ member: (String, inout StoredJSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try take(UInt8(ascii: "}")) { return }
        repeat {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try member(key, &self)
        } while try take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Reads past one value of any kind (a member the reader does not know).
    package mutating func skipValue() throws {
        skipSpace()
        guard index < bytes.count else { throw failure("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "["): try array { try $0.skipValue() }
        case UInt8(ascii: "{"): try object { _, reader in try reader.skipValue() }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): _ = try null()
        default:
            let start = index
            while index < bytes.count, "+-.eE0123456789".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { throw failure("expected a value") }
        }
    }

    /// An error naming the offset reached.
    package func failure(_ message: String) -> ConnectorError {
        ConnectorError(.invalidValue, "stored JSON at byte \(index): \(message)")
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func take(_ byte: UInt8) throws -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try take(byte) else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        let matches =
            bytes.count - index >= count
            && word.withUTF8Buffer { expected in bytes[index..<index + count].elementsEqual(expected) }
        guard matches else { throw failure("expected \(word)") }
        index += count
    }

    /// After a backslash: appends the escaped character's UTF-8.
    private mutating func unescape(into output: inout [UInt8]) throws {
        do {
            output.append(contentsOf: String(try JSONEscape.scalar(in: bytes, at: &index)).utf8)
        } catch {
            throw failure(error.message)
        }
    }
}
