/// PostgreSQL's text forms of arrays and records, parsed and rendered (pure, no I/O).
///
/// Arrays: `{1,NULL,"a \"b\""}` and nested `{{1,2},{3,4}}`, with an optional `[1:2]=` bounds prefix.
/// Records (row images): `(1,,"x y")`, where an empty unquoted field is NULL.
package enum PostgresLiteral {
    /// One element of a parsed array: a value, NULL, or a nested array.
    package indirect enum ArrayElement: Sendable, Hashable {
        case value(String)
        case null
        case array([ArrayElement])
    }

    /// Parses an array literal.
    /// - Throws: `ConnectorError.invalidValue` on malformed input.
    package static func parseArray(_ text: String) throws -> [ArrayElement] {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { throw malformed(text) }
            bytes = bytes[(equals + 1)...]
        }
        var index = bytes.startIndex
        let result = try parseArrayBody(bytes, &index, text)
        guard index == bytes.endIndex else { throw malformed(text) }
        return result
    }

    private static func parseArrayBody(_ bytes: ArraySlice<UInt8>, _ index: inout Int, _ text: String) throws -> [ArrayElement] {
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "{") else { throw malformed(text) }
        index += 1
        var elements: [ArrayElement] = []
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return elements
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "{") {
                elements.append(.array(try parseArrayBody(bytes, &index, text)))
            } else if byte == UInt8(ascii: "\"") {
                elements.append(.value(try parseQuoted(bytes, &index, text)))
            } else {
                let start = index
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") {
                    index += 1
                }
                let token = String(decoding: bytes[start..<index], as: UTF8.self)
                elements.append(token.uppercased() == "NULL" ? .null : .value(token))
            }
            guard index < bytes.endIndex else { throw malformed(text) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return elements
            } else {
                throw malformed(text)
            }
        }
        throw malformed(text)
    }

    /// Parses a record literal into its fields; nil fields are NULL.
    package static func parseRecord(_ text: String) throws -> [String?] {
        let bytes = Array(text.utf8)[...]
        guard bytes.first == UInt8(ascii: "("), bytes.last == UInt8(ascii: ")") else { throw malformed(text) }
        var index = bytes.startIndex + 1
        let end = bytes.endIndex - 1
        var fields: [String?] = []
        if index == end { return [nil] }
        while true {
            if index < end, bytes[index] == UInt8(ascii: "\"") {
                var value = ""
                // A field may mix quoted and unquoted stretches; PostgreSQL writes one quoted stretch.
                value += try parseQuoted(bytes, &index, text, doubledQuoteEscapes: true)
                fields.append(value)
            } else {
                let start = index
                while index < end, bytes[index] != UInt8(ascii: ",") { index += 1 }
                fields.append(index == start ? nil : String(decoding: bytes[start..<index], as: UTF8.self))
            }
            if index == end { return fields }
            guard bytes[index] == UInt8(ascii: ",") else { throw malformed(text) }
            index += 1
        }
    }

    private static func parseQuoted(
        _ bytes: ArraySlice<UInt8>, _ index: inout Int, _ text: String,
        doubledQuoteEscapes: Bool = false
    ) throws -> String {
        index += 1
        var output: [UInt8] = []
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.endIndex else { throw malformed(text) }
                output.append(bytes[index + 1])
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                if doubledQuoteEscapes, index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "\"") {
                    output.append(byte)
                    index += 2
                } else {
                    index += 1
                    return String(decoding: output, as: UTF8.self)
                }
            } else {
                output.append(byte)
                index += 1
            }
        }
        throw malformed(text)
    }

    /// Renders an array literal, quoting every value.
    package static func renderArray(_ elements: [ArrayElement]) -> String {
        "{"
            + elements.map { element in
                switch element {
                case .null: "NULL"
                case let .array(inner): renderArray(inner)
                case let .value(text): quote(text)
                }
            }.joined(separator: ",") + "}"
    }

    /// A one-dimensional text array of `values` (nil: NULL), every element quoted: the form a statement
    /// binds one column's values of many rows in (see `PostgresDialect.upsertSQL`).
    package static func renderTextArray<Values: Collection<String?>>(_ values: Values) -> String {
        var output = "{"
        output.reserveCapacity(values.count * 16)
        var first = true
        for value in values {
            if !first { output += "," }
            first = false
            guard let value else {
                output += "NULL"
                continue
            }
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                output += quote(value)
            } else {
                output += "\""
                output += value
                output += "\""
            }
        }
        return output + "}"
    }

    private static func quote(_ text: String) -> String {
        var output = "\""
        for character in text.unicodeScalars {
            if character == "\"" || character == "\\" { output.unicodeScalars.append("\\") }
            output.unicodeScalars.append(character)
        }
        return output + "\""
    }

    private static func malformed(_ text: String) -> ConnectorError {
        ConnectorError(.invalidValue, "malformed PostgreSQL literal: \(text.prefix(80))")
    }
}
