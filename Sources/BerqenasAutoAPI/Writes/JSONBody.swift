import DatabaseConnectors

/// A request body's JSON, numbers kept as the digits sent (a decimal never passes through a Double) and
/// object keys in the order sent.
package indirect enum JSONBody: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONBody])
    case object([(key: String, value: JSONBody)])

    package static func == (lhs: JSONBody, rhs: JSONBody) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)), let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    /// Parses a whole body; the error says where it went wrong (PGRST102, 400).
    package static func parse(_ bytes: [UInt8]) throws -> JSONBody {
        var reader = Reader(bytes: bytes)
        // JSON text is UTF-8 (RFC 8259): bytes that are not would otherwise be read as U+FFFD and stored so.
        guard String(validating: bytes, as: UTF8.self) != nil else { throw reader.failure("the body is not valid UTF-8") }
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.atEnd else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    /// The value as compact JSON text (numbers as sent).
    package var text: String {
        switch self {
        case .null: "null"
        case let .bool(flag): flag ? "true" : "false"
        case let .number(digits): digits
        case let .string(text): Self.quoted(text)
        case let .array(items): "[" + items.map(\.text).joined(separator: ",") + "]"
        case let .object(fields): "{" + fields.map { Self.quoted($0.key) + ":" + $0.value.text }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONRows.string(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0
        /// Nesting deeper than this is refused (a body cannot exhaust the stack).
        static let maxDepth = 64

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position >= bytes.count }

        func failure(_ message: String) -> AutoAPIError {
            AutoAPIError(
                status: 400, code: "PGRST102", message: "Empty or invalid json",
                details: "\(message) at byte \(position)")
        }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func value(depth: Int) throws -> JSONBody {
            guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
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

        mutating func word(_ text: String) throws {
            let expected = Array(text.utf8)
            guard bytes.count - position >= expected.count, Array(bytes[position..<position + expected.count]) == expected else {
                throw failure("unexpected character")
            }
            position += expected.count
        }

        mutating func object(depth: Int) throws -> JSONBody {
            position += 1
            var fields: [(key: String, value: JSONBody)] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(fields)
            }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("a key in quotes was expected") }
                let key = try string()
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("':' was expected") }
                position += 1
                skipSpace()
                fields.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard position < bytes.count else { throw failure("the object is not closed") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "}") else { throw failure("',' or '}' was expected") }
                position += 1
                return .object(fields)
            }
        }

        mutating func array(depth: Int) throws -> JSONBody {
            position += 1
            var items: [JSONBody] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard position < bytes.count else { throw failure("the array is not closed") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "]") else { throw failure("',' or ']' was expected") }
                position += 1
                return .array(items)
            }
        }

        mutating func number() throws -> String {
            let start = position
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            let digitsStart = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            guard position > digitsStart else { throw failure("unexpected character") }
            guard bytes[digitsStart] != UInt8(ascii: "0") || position - digitsStart == 1 else {
                throw failure("a number with a leading zero")
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                let fraction = position
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                guard position > fraction else { throw failure("digits were expected after '.'") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                let exponent = position
                while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
                guard position > exponent else { throw failure("digits were expected in the exponent") }
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func string() throws -> String {
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
