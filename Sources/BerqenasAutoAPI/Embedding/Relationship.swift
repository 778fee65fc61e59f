import DatabaseConnectors

/// How an embedded table relates to the table it is embedded in, through one foreign key.
struct Relationship: Sendable, Equatable {
    /// Columns of the outer table the match uses.
    var outerColumns: [String]
    /// The matching columns of the embedded table, in the same order.
    var innerColumns: [String]
    /// Whether each outer row has at most one embedded row (the outer table holds the foreign key).
    var toOne: Bool

    /// The one relationship between `outer` and `inner` (PGRST200 when there is none, PGRST201 when
    /// several foreign keys would do).
    static func between(_ outer: TableSchema, _ inner: TableSchema) throws -> Relationship {
        var found: [Relationship] = []
        for key in outer.foreignKeys where key.referencedTable == inner.table {
            found.append(Relationship(outerColumns: key.columns, innerColumns: referenced(key, inner), toOne: true))
        }
        for key in inner.foreignKeys where key.referencedTable == outer.table {
            found.append(Relationship(outerColumns: referenced(key, outer), innerColumns: key.columns, toOne: false))
        }
        // A key whose columns cannot be matched (SQLite: a reference to a table with no primary key) does not count.
        found.removeAll { $0.outerColumns.isEmpty || $0.outerColumns.count != $0.innerColumns.count }
        guard let only = found.first else {
            throw AutoAPIError(
                status: 400, code: "PGRST200",
                message: "Could not find a relationship between '\(outer.table.name)' and '\(inner.table.name)'",
                hint: "embedding follows foreign keys between two tables the API serves")
        }
        guard found.count == 1 else {
            throw AutoAPIError(
                status: 300, code: "PGRST201",
                message: "Could not embed because more than one relationship was found for '\(outer.table.name)' and '\(inner.table.name)'",
                hint: "relationship hints (table!fk) are not served: embed through a table with one foreign key")
        }
        return only
    }

    /// The referenced columns (SQLite leaves them out of a key that refers to the primary key).
    private static func referenced(_ key: ForeignKey, _ table: TableSchema) -> [String] {
        key.referencedColumns.contains("") || key.referencedColumns.isEmpty ? table.primaryKey : key.referencedColumns
    }
}
