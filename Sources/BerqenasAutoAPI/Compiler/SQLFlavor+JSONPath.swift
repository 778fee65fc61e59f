import DatabaseConnectors
import Foundation

extension SQLFlavor {
    /// `expression` (a column described by `source`) followed along `path`, in parentheses, and what the
    /// result is: JSON after `->`, text after `->>`.
    ///
    /// - PostgreSQL: the arrows themselves, on json and jsonb, and on other types through `to_jsonb` (arrays,
    ///   composite types), as PostgREST does.
    /// - SQLite: its own `->` / `->>` with a JSON path (`$."key"[0]`, `[#-1]` from the end); a `->>` value is
    ///   compared and returned as text, as on PostgreSQL.
    /// - SQL Server: `JSON_QUERY` (objects and arrays only: a scalar after `->` is null) and `JSON_VALUE`.
    ///
    /// Keys never reach SQL as written: PostgreSQL gets any key as a quoted literal, or as hex decoded by the
    /// server when it holds a quote, a backslash or a control character; the others refuse such a key (400),
    /// so their path text is only `$`, brackets, digits and plain keys in double quotes.
    func jsonPath(_ expression: String, of source: ColumnSchema, _ path: JSONPath) throws -> (sql: String, value: ColumnSchema) {
        let text = column(named: source.name, castTo: .text)
        switch self {
        case .postgresql:
            var sql: String
            var value: ColumnSchema
            if case .json(let binary) = source.canonicalType {
                (sql, value) = (expression, column(named: source.name, castTo: binary ? .jsonb : .json))
            } else {
                (sql, value) = ("to_jsonb(\(expression))", column(named: source.name, castTo: .jsonb))
            }
            for (arrow, step) in path.steps {
                sql += arrow == .text ? "->>" : "->"
                switch step {
                case let .key(key): sql += Self.postgresLiteral(key)
                case let .index(index): sql += index < 0 ? "(\(index))" : String(index)
                }
            }
            return ("(\(sql))", path.endsAsText ? text : value)
        case .sqlite:
            let literal = "'" + (try jsonPathText(path, engine: "SQLite")) + "'"
            let json = ColumnSchema(name: source.name, nativeType: "json", canonicalType: .json(binary: false))
            return path.endsAsText ? ("CAST(\(expression) ->> \(literal) AS TEXT)", text) : ("(\(expression) -> \(literal))", json)
        case .tsql:
            guard !path.steps.contains(where: { if case let .index(index) = $0.step { index < 0 } else { false } }) else {
                throw AutoAPIError.unsupported("negative array indexes in a JSON path need a PostgreSQL or SQLite source")
            }
            let literal = "N'" + (try jsonPathText(path, engine: "SQL Server")) + "'"
            let json = ColumnSchema(name: source.name, nativeType: "nvarchar(max)", canonicalType: .json(binary: false))
            return path.endsAsText ? ("JSON_VALUE(\(expression), \(literal))", text) : ("JSON_QUERY(\(expression), \(literal))", json)
        }
    }

    /// The path as SQLite's and SQL Server's JSON path text; `->>` only at its end.
    private func jsonPathText(_ path: JSONPath, engine: String) throws -> String {
        var text = "$"
        for (position, (arrow, step)) in path.steps.enumerated() {
            if arrow == .text, position < path.steps.count - 1 {
                throw AutoAPIError.unparsable("column", details: "->> gives text, which has no keys: only the last arrow of a JSON path may be ->>")
            }
            switch step {
            case let .key(key):
                guard Self.plainBytes(key, allowingApostrophe: false) else {
                    throw AutoAPIError.unsupported("a JSON key with a quote, a backslash or a control character, on \(engine)")
                }
                text += ".\"\(key)\""
            case let .index(index):
                text += index < 0 ? "[#\(index)]" : "[\(index)]"
            }
        }
        return text
    }

    /// Whether `text`'s bytes hold no double quote, backslash or control character (nor an apostrophe unless
    /// allowed). Checked byte by byte: a quote inside a grapheme cluster (`'` and a combining accent) is
    /// still a quote to the database.
    static func plainBytes(_ text: String, allowingApostrophe: Bool) -> Bool {
        text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte != 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                && (allowingApostrophe || byte != UInt8(ascii: "'"))
        }
    }

    /// A PostgreSQL text literal that means `text` whatever the server's `standard_conforming_strings`.
    static func postgresLiteral(_ text: String) -> String {
        if plainBytes(text, allowingApostrophe: false) { return "'\(text)'" }
        return "convert_from(decode('\(HexBytes.encode(Array(text.utf8)))', 'hex'), 'UTF8')"
    }
}
