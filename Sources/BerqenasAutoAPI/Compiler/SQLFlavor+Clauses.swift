import DatabaseConnectors

/// The clauses whose shape differs between engines, so that the compilers state what they want and never
/// branch on the engine themselves.
extension SQLFlavor {
    /// `ORDER BY`, `LIMIT` and `OFFSET` in the engine's form. SQL Server pages with `OFFSET … FETCH`, which
    /// needs an order: `keyOrder` (the primary key's columns, or empty) keeps its pages stable.
    func paging(order: String?, limit: Int?, offset: Int?, keyOrder: String) -> String {
        let skipped = offset ?? 0
        switch self {
        case .postgresql, .sqlite:
            var sql = order.map { " ORDER BY \($0)" } ?? ""
            if let limit { sql += " LIMIT \(limit)" }
            if skipped > 0 {
                // SQLite takes OFFSET only after a LIMIT; -1 is none.
                if limit == nil, case .sqlite = self { sql += " LIMIT -1" }
                sql += " OFFSET \(skipped)"
            }
            return sql
        case .tsql:
            guard limit != nil || skipped > 0 else { return order.map { " ORDER BY \($0)" } ?? "" }
            var sql = " ORDER BY \(order ?? (keyOrder.isEmpty ? "(SELECT NULL)" : keyOrder)) OFFSET \(skipped) ROWS"
            if let limit { sql += " FETCH NEXT \(limit) ROWS ONLY" }
            return sql
        }
    }

    /// How an uncast geometry column is returned: as GeoJSON where the engine can make it (PostGIS builds it,
    /// SQL Server's WKT is converted when rendered); nil where it is returned as stored.
    func geometryPresentation(named name: String) -> (ResultColumn.Presentation, ColumnSchema)? {
        switch self {
        case .postgresql:
            (.geoJSON, ColumnSchema(name: name, nativeType: "json", canonicalType: .json(binary: false)))
        case .tsql:
            (.geoJSONFromWKT, ColumnSchema(name: name, nativeType: "nvarchar(max)", canonicalType: .text(length: nil, fixed: false, collation: nil)))
        case .sqlite:
            nil
        }
    }

    /// Whether data changes return their rows with a `RETURNING` clause (SQL Server outputs them instead).
    var hasReturning: Bool {
        if case .tsql = self { return false }
        return true
    }

    /// `DELETE FROM table`; SQL Server's form leaves FROM out (sqlglot reads OUTPUT only right after the
    /// table; SQL Server takes both).
    func deleteHead(_ table: TableRef) -> String {
        if case .tsql = self { return "DELETE \(qualified(table))" }
        return "DELETE FROM \(qualified(table))"
    }

    /// The most bound parameters, and rows, one statement may carry.
    var statementLimits: (parameters: Int, rows: Int) {
        if case .tsql = self { return (2000, 1000) }
        return (30_000, 10_000)
    }

    /// `reference IS DISTINCT FROM value`, where nulls compare equal to each other.
    func isDistinct(_ reference: String, from value: String) -> String {
        switch self {
        case .postgresql: "\(reference) IS DISTINCT FROM \(value)"
        case .sqlite: "\(reference) IS NOT \(value)"
        case .tsql: "NOT EXISTS (SELECT \(reference) INTERSECT SELECT \(value))"
        }
    }

    /// like/ilike (`%`, `_`, `\` escapes): PostgreSQL's own operators; SQLite's LIKE (case-insensitive for
    /// ASCII) or GLOB (case-sensitive); SQL Server's LIKE under a case-sensitive or -insensitive collation.
    func like(_ text: String, pattern: String, caseInsensitive: Bool, _ bindText: (String) -> String) -> String {
        switch self {
        case .postgresql:
            "\(text) \(caseInsensitive ? "ILIKE" : "LIKE") \(bindText(pattern))"
        case .sqlite:
            caseInsensitive ? "\(text) LIKE \(bindText(pattern)) ESCAPE '\\'" : "\(text) GLOB \(bindText(Self.glob(pattern)))"
        case .tsql:
            "\(text) COLLATE \(caseInsensitive ? "Latin1_General_CI_AS" : "Latin1_General_CS_AS") "
                + "LIKE \(bindText(pattern.replacingOccurrences(of: "[", with: "[[]"))) ESCAPE '\\'"
        }
    }

    /// A LIKE pattern (`%`, `_`, `\` escapes) as a GLOB pattern (`*`, `?`, brackets for literals).
    static func glob(_ pattern: String) -> String {
        var result = ""
        var escaped = false
        for character in pattern {
            if escaped {
                result += "*?[".contains(character) ? "[\(character)]" : String(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "%": result += "*"
            case "_": result += "?"
            case "*", "?", "[": result += "[\(character)]"
            default: result.append(character)
            }
        }
        return result
    }
}
