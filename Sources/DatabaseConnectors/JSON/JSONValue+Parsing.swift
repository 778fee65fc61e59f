/// Why a text is not JSON, and where.
package struct JSONSyntaxError: Error, Sendable, Equatable {
    package let message: String
    /// The byte at which reading stopped.
    package let offset: Int

    /// The reason and the place, in words.
    package var description: String { "\(message) at byte \(offset)" }
}

extension JSONValue {
    /// Nesting deeper than this is refused (a body cannot exhaust the stack).
    package static let maxDepth = 64

    /// Parses a whole JSON text strictly (RFC 8259: UTF-8, no leading zeros, no trailing text).
    package static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var reader = Reader(bytes: bytes)
        // JSON text is UTF-8 (RFC 8259): bytes that are not would otherwise be read as U+FFFD and stored so.
        guard String(validating: bytes, as: UTF8.self) != nil else { throw reader.failure("the text is not valid UTF-8") }
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.atEnd else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    /// Parses a whole JSON text.
    package static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position >= bytes.count }

        func failure(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: position) }

        func at(_ character: Unicode.Scalar) -> Bool { position < bytes.count && bytes[position] == UInt8(ascii: character) }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func skipDigits() -> Int {
            let start = position
            while position < bytes.count, JSONText.isDigit(bytes[position]) { position += 1 }
            return position - start
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth < JSONValue.maxDepth else { throw failure("nested deeper than \(JSONValue.maxDepth) levels") }
            guard position < bytes.count else { throw failure("a value was expected") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try word("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try word("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try word("null")
                return .null
            default: return .number(try number())
            }
        }

        mutating func word(_ text: String) throws(JSONSyntaxError) {
            let expected = Array(text.utf8)
            guard bytes.count - position >= expected.count, Array(bytes[position..<position + expected.count]) == expected else {
                throw failure("unexpected character")
            }
            position += expected.count
        }

        /// The items between `[`/`{` and its closing bracket, each read by `item`.
        mutating func items(closing: Unicode.Scalar, _ item: (inout Reader) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
            position += 1
            skipSpace()
            if at(closing) {
                position += 1
                return
            }
            while true {
                skipSpace()
                try item(&self)
                skipSpace()
                guard position < bytes.count else { throw failure(closing == "]" ? "the array is not closed" : "the object is not closed") }
                if at(",") {
                    position += 1
                    continue
                }
                guard at(closing) else { throw failure("',' or '\(closing)' was expected") }
                position += 1
                return
            }
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            var fields: [(key: String, value: JSONValue)] = []
            try items(closing: "}") { (reader: inout Reader) throws(JSONSyntaxError) in
                guard reader.at("\"") else { throw reader.failure("a key in quotes was expected") }
                let key = try reader.string()
                reader.skipSpace()
                guard reader.at(":") else { throw reader.failure("':' was expected") }
                reader.position += 1
                reader.skipSpace()
                fields.append((key, try reader.value(depth: depth + 1)))
            }
            return .object(fields)
        }

        mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            var values: [JSONValue] = []
            try items(closing: "]") { (reader: inout Reader) throws(JSONSyntaxError) in values.append(try reader.value(depth: depth + 1)) }
            return .array(values)
        }

        mutating func number() throws(JSONSyntaxError) -> String {
            let start = position
            if at("-") { position += 1 }
            let digitsStart = position
            guard skipDigits() > 0 else { throw failure("unexpected character") }
            guard bytes[digitsStart] != UInt8(ascii: "0") || position - digitsStart == 1 else {
                throw failure("a number with a leading zero")
            }
            if at(".") {
                position += 1
                guard skipDigits() > 0 else { throw failure("digits were expected after '.'") }
            }
            if at("e") || at("E") {
                position += 1
                if at("+") || at("-") { position += 1 }
                guard skipDigits() > 0 else { throw failure("digits were expected in the exponent") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func string() throws(JSONSyntaxError) -> String {
            position += 1
            var scalars = String.UnicodeScalarView()
            var run = position
            func flush(_ end: Int) {
                scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
            }
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    flush(position)
                    position += 1
                    return String(scalars)
                }
                guard byte >= 0x20 else { throw failure("a control character inside a string") }
                guard byte == UInt8(ascii: "\\") else {
                    position += 1
                    continue
                }
                flush(position)
                position += 1
                guard position < bytes.count else { break }
                do {
                    scalars.append(try JSONEscape.scalar(in: bytes, at: &position))
                } catch {
                    throw failure(error.message)
                }
                run = position
            }
            throw failure("the string is not closed")
        }
    }
}
