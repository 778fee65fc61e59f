import DatabaseConnectors

/// What differs between the engines a generated API runs on: quoting, parameters, casts, and the few
/// operators each one spells its own way.
package enum SQLFlavor: Sendable {
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

    /// The placeholder of a value written to `column`: PostGIS columns take GeoJSON as well as WKT or EWKB.
    func writeParameter(_ number: Int, for column: ColumnSchema) -> String {
        guard case let .postgresql(dialect) = self, case .geometry = column.canonicalType else { return parameter(number, typedLike: column) }
        let text = "$\(number)::text"
        return "(CASE WHEN left(\(text), 1) = '{' THEN ST_GeomFromGeoJSON(\(text)) ELSE \(text)::geometry END)::\(dialect.castType(column))"
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
            // Another type's value comes back as the JSON PostgreSQL makes of it (as PostgREST shows it).
            if case let .named(name) = type { return "to_jsonb((\(expression))::\(name))" }
            return "\(expression)::\(type.name)"
        case .sqlite:
            let name =
                switch type {
                case .integer, .bigint, .boolean: "INTEGER"
                case .numeric: "NUMERIC"
                case .double: "REAL"
                case .text, .date, .timestamp, .timestamptz, .json, .jsonb, .named: "TEXT"
                }
            return "CAST(\(expression) AS \(name))"
        case .tsql:
            let name =
                switch type {
                case .text, .json, .jsonb, .named: "nvarchar(max)"
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

    /// `expression` in the form the connector's `select` decodes for `column` (PostgreSQL numerics and other
    /// types as text, SQL Server dates and binaries converted).
    func read(_ expression: String, as column: ColumnSchema) -> String {
        switch self {
        case .postgresql:
            expression.hasSuffix("::text") && column.nativeType == "text"
                ? expression
                : PostgresValueCodec.readExpression(expression, nativeType: column.nativeType)
        case .sqlite: expression
        case .tsql: SQLServerTypeMap.readExpression(expression, column.canonicalType)
        }
    }

    /// What a cast produces, described as a column (how the connector decodes it).
    func column(named name: String, castTo type: CastType) -> ColumnSchema {
        let (native, canonical): (String, CanonicalType) =
            switch type {
            case .text: ("text", .text(length: nil, fixed: false, collation: nil))
            case .integer: ("integer", .integer(bits: 32))
            case .bigint: ("bigint", .integer(bits: 64))
            case .numeric: ("numeric", .decimal(precision: nil, scale: nil))
            case .boolean: ("boolean", .boolean)
            case .date: ("date", .date)
            case .timestamp: ("timestamp", .timestamp(precision: 6, withZone: false))
            case .timestamptz: ("timestamptz", .timestamp(precision: 6, withZone: true))
            case .json: ("json", .json(binary: false))
            case .jsonb, .named: ("jsonb", .json(binary: true))
            case .double: ("double precision", .float(bits: 64))
            }
        if case .tsql = self, case .text = canonical { return ColumnSchema(name: name, nativeType: "nvarchar(max)", canonicalType: canonical) }
        return ColumnSchema(name: name, nativeType: native, canonicalType: canonical)
    }

    var isPostgreSQL: Bool {
        if case .postgresql = self { return true }
        return false
    }

    /// A condition that never holds (`in.()`).
    var never: String {
        if case .postgresql = self { return "FALSE" }
        return "1 = 0"
    }

    /// A condition that always holds (`eq(all).{}`).
    var always: String {
        if case .postgresql = self { return "TRUE" }
        return "1 = 1"
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

    /// `value` as a URL filter names it for this engine (`id=eq.<text>`): the text the engine reads back as
    /// the value when a filter binds it to the column (a `Location` header points at a row this way).
    package func filterText(_ value: CanonicalValue) -> String {
        switch self {
        // SQLite keeps the exact types in the same text (`SQLiteValueCodec`), and a filter's `true` on a
        // boolean column is bound as 1 (`boundValue`).
        case .postgresql, .sqlite: PostgresValueCodec.encode(value) ?? ""
        case .tsql: SQLServerValueCodec.encode(value) ?? ""
        }
    }
}
