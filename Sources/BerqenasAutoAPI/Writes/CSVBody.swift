import DatabaseConnectors

/// A `text/csv` request body (RFC 4180) as the JSON array of objects a JSON body would be: the first line
/// names the columns, each later line is a row. A field is text (its column's type reads it, as a JSON string
/// would be read); an empty or `NULL` field without quotes is null (PostgreSQL's COPY convention), a quoted
/// one (`""`, `"NULL"`) is that text.
package enum CSVBody {
    package static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        let lines = try records(bytes)
        guard let header = lines.first, !header.isEmpty else {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid CSV", details: "no header line naming the columns")
        }
        let names = header.map(\.text)
        if let empty = names.firstIndex(where: \.isEmpty) {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid CSV", details: "header field \(empty + 1) names no column")
        }
        if Set(names).count != names.count {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid CSV", details: "a column is named twice in the header")
        }
        var rows: [JSONValue] = []
        for (number, fields) in lines.enumerated().dropFirst() {
            // A blank line is a row only of one column (its null), as COPY reads it.
            if fields.count == 1, fields[0].text.isEmpty, !fields[0].quoted, names.count > 1 { continue }
            guard fields.count == names.count else {
                throw AutoAPIError(
                    status: 400, code: "PGRST102", message: "Empty or invalid CSV",
                    details: "record \(number + 1) has \(fields.count) fields; the header names \(names.count)")
            }
            rows.append(
                .object(
                    zip(names, fields).map { name, field in
                        (key: name, value: !field.quoted && (field.text.isEmpty || field.text == "NULL") ? .null : .string(field.text))
                    }))
        }
        return .array(rows)
    }

    struct Field {
        var text: String
        var quoted: Bool
    }

    /// The most fields a body may hold (a field costs far more in memory than its byte).
    static let maxFields = 1_000_000

    /// The records of the body (a blank line is a record of one empty field; a final line break ends the last
    /// record and makes none).
    static func records(_ bytes: [UInt8]) throws -> [[Field]] {
        var records: [[Field]] = []
        var record: [Field] = []
        var field: [UInt8] = []
        var quoted = false
        var inQuotes = false
        var index = 0
        var fields = 0
        func endField() throws {
            fields += 1
            guard fields <= maxFields else {
                throw AutoAPIError(
                    status: 413, code: "payload_too_large", message: "the CSV body holds more than \(maxFields) fields",
                    hint: "send it in parts")
            }
            record.append(Field(text: String(decoding: field, as: UTF8.self), quoted: quoted))
            field = []
            quoted = false
        }
        func endRecord() throws {
            try endField()
            records.append(record)
            record = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard field.isEmpty, !quoted else {
                    throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid CSV", details: "a quote inside an unquoted field")
                }
                inQuotes = true
                quoted = true
            case UInt8(ascii: ","): try endField()
            case UInt8(ascii: "\n"): try endRecord()
            case UInt8(ascii: "\r"):
                if index < bytes.count, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                try endRecord()
            default:
                guard !quoted else {
                    throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid CSV", details: "text after a closing quote")
                }
                field.append(byte)
            }
        }
        guard !inQuotes else {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid CSV", details: "a quoted field is not closed")
        }
        if !field.isEmpty || quoted || !record.isEmpty { try endRecord() }
        return records
    }
}
