import DatabaseConnectors

/// What differs between the engines a generated API runs on: quoting, parameters, casts, and the few
/// operators each one spells its own way.
public enum SQLFlavor: Sendable {
    case postgresql(PostgresDialect)
    case sqlite
    case tsql

    func quote(_ identifier: String) -> String {
        switch self {
        case let .postgresql(dialect): dialect.quote(identifier)
        case .sqlite: SQLiteDialect().quote(identifier)
        case .tsql: TSQLDialect().quote(identifier)
        }
    }

    func qualified(_ table: TableRef) -> String {
        switch self {
        case let .postgresql(dialect): dialect.qualified(table)
        case .sqlite: SQLiteDialect().qualified(table)
        case .tsql: TSQLDialect().qualified(table)
        }
    }

    /// The placeholder of bound parameter `number` (1-based), typed like `column`.
    func parameter(_ number: Int, typedLike column: ColumnSchema) -> String {
        switch self {
        case let .postgresql(dialect): "$\(number)::\(dialect.castType(column))"
        case .sqlite: "?\(number)"
        case .tsql: TSQLDialect().write(number, column)
        }
    }

    /// The placeholder of a parameter used as text (patterns, regular expressions).
    func textParameter(_ number: Int) -> String {
        switch self {
        case .postgresql: "$\(number)::text"
        case .sqlite: "?\(number)"
        case .tsql: "@p\(number)"
        }
    }

    /// `expression` as text (for patterns over columns of other types).
    func asText(_ expression: String, _ column: ColumnSchema) -> String {
        if case .text = column.canonicalType { return expression }
        return switch self {
        case .postgresql: "\(expression)::text"
        case .sqlite: "CAST(\(expression) AS TEXT)"
        case .tsql: "CAST(\(expression) AS nvarchar(max))"
        }
    }

    /// `CAST(expression AS type)` in this engine's spelling of the cast target.
    func cast(_ expression: String, to type: CastType) -> String {
        switch self {
        case .postgresql:
            return "\(expression)::\(type.rawValue)"
        case .sqlite:
            let name = switch type {
            case .integer, .bigint, .boolean: "INTEGER"
            case .numeric: "NUMERIC"
            case .double: "REAL"
            case .text, .date, .timestamp, .timestamptz, .json, .jsonb: "TEXT"
            }
            return "CAST(\(expression) AS \(name))"
        case .tsql:
            let name = switch type {
            case .text, .json, .jsonb: "nvarchar(max)"
            case .integer: "int"
            case .bigint: "bigint"
            case .numeric: "decimal(38, 10)"
            case .boolean: "bit"
            case .date: "date"
            case .timestamp: "datetime2"
            case .timestamptz: "datetimeoffset"
            case .double: "float"
            }
            return "CAST(\(expression) AS \(name))"
        }
    }

    /// A condition that never holds (`in.()`).
    var never: String {
        if case .postgresql = self { return "FALSE" }
        return "1 = 0"
    }

    /// How a boolean filter value is bound: SQLite keeps booleans as 0 and 1.
    func boundValue(_ text: String, for column: ColumnSchema) -> String {
        guard case .sqlite = self, case .boolean = column.canonicalType else { return text }
        switch text.lowercased() {
        case "true", "t": return "1"
        case "false", "f": return "0"
        default: return text
        }
    }
}
