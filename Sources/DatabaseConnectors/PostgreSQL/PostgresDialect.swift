/// SQL text for PostgreSQL (pure): identifiers quoted, values always bound as `$n::type` casts of text.
package struct PostgresDialect: Sendable {
    /// Whether PostGIS types exist in the target database.
    package var postGIS: Bool

    /// Creates the dialect.
    package init(postGIS: Bool = false) {
        self.postGIS = postGIS
    }

    /// `"name"` with embedded quotes doubled.
    package func quote(_ identifier: String) -> String {
        "\"" + identifier.doublingEvery("\"") + "\""
    }

    /// `'text'` with embedded quotes doubled (standard-conforming strings, as PostgreSQL has by default).
    package func literal(_ text: String) -> String {
        "'" + text.doublingEvery("'") + "'"
    }

    /// `"schema"."table"`.
    package func qualified(_ table: TableRef) -> String { "\(quote(table.schema)).\(quote(table.name))" }

    /// Creates a schema when absent. Checked first: `CREATE SCHEMA IF NOT EXISTS` needs the CREATE privilege
    /// on the database even when the schema exists, and a tenant's login has no such privilege.
    package func ensureSchemaSQL(_ name: String) -> String {
        "DO $$ BEGIN IF to_regnamespace(\(literal(name))) IS NULL THEN CREATE SCHEMA \(quote(name)); END IF; END $$"
    }

    /// The type a bound text parameter is cast to for a column.
    package func castType(_ column: ColumnSchema) -> String {
        column.nativeType.isEmpty ? PostgresTypeMap.nativeType(for: column.canonicalType, postGIS: postGIS) : column.nativeType
    }

    /// `CREATE TABLE IF NOT EXISTS` with the best-fitting PostgreSQL types and the primary key.
    package func createTableSQL(_ table: TableSchema) -> String {
        var parts = table.columns.map { column in
            "\(quote(column.name)) \(PostgresTypeMap.nativeType(for: column.canonicalType, postGIS: postGIS))"
                + (column.nullable ? "" : " NOT NULL")
        }
        if table.hasPrimaryKey {
            parts.append("PRIMARY KEY (\(table.primaryKey.map(quote).joined(separator: ", ")))")
        }
        return "CREATE TABLE IF NOT EXISTS \(qualified(table.table)) (\(parts.joined(separator: ", ")))"
    }

    /// A page of rows as text, in key order, after the bound key values `$1…$k` when `afterKey`.
    /// Key columns are qualified by the table alias: the text casts in the select list carry the column
    /// names, and an unqualified ORDER BY would sort by that text.
    package func keysetSelectSQL(_ table: TableSchema, afterKey: Bool, upToKey: Bool = false, limit: Int) -> String {
        let order = table.primaryKey.compactMap { table.column($0) }.map { "source." + quote($0.name) }.joined(separator: ", ")
        return selectSQL(table) + keyRangeSQL(table, afterKey: afterKey, upToKey: upToKey) + " ORDER BY \(order) LIMIT \(limit)"
    }

    /// ` WHERE` the key, of the table aliased `source`, is after the key bound first (when `afterKey`) and
    /// at most the key bound next (when `upToKey`); empty without bounds.
    package func keyRangeSQL(_ table: TableSchema, afterKey: Bool, upToKey: Bool) -> String {
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        let keys = "(" + keyColumns.map { "source." + quote($0.name) }.joined(separator: ", ") + ")"
        var next = 1
        func bound() -> String {
            defer { next += keyColumns.count }
            return "(" + keyColumns.enumerated().map { "$\(next + $0.offset)::\(castType($0.element))" }.joined(separator: ", ") + ")"
        }
        var conditions: [String] = []
        if afterKey { conditions.append("\(keys) > \(bound())") }
        if upToKey { conditions.append("\(keys) <= \(bound())") }
        return conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// The rows whose keys are bound as one text array per key column (`PostgresArrayLiteral`), in key order.
    package func selectByKeysSQL(_ table: TableSchema) -> String {
        let keys = table.primaryKey.compactMap { table.column($0) }.map { "source." + quote($0.name) }.joined(separator: ", ")
        return selectSQL(table) + " WHERE (\(keys)) IN (\(boundKeys(table))) ORDER BY \(keys)"
    }

    /// The keys (read forms), in key order, of the rows whose `column` is at least the value bound as `$1`.
    package func keysAtLeastSQL(_ table: TableSchema, column: ColumnSchema) -> String {
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        let keys = TableSchema(table: table.table, columns: keyColumns, primaryKey: table.primaryKey)
        let order = keyColumns.map { "source." + quote($0.name) }.joined(separator: ", ")
        return selectSQL(keys) + " WHERE source.\(quote(column.name)) >= $1::\(castType(column)) ORDER BY \(order)"
    }

    /// The largest non-NULL value of `column` (read form).
    package func largestSQL(_ table: TableSchema, column: ColumnSchema) -> String {
        let only = TableSchema(table: table.table, columns: [column], primaryKey: [])
        return selectSQL(only) + " WHERE source.\(quote(column.name)) IS NOT NULL ORDER BY source.\(quote(column.name)) DESC LIMIT 1"
    }

    /// Every column in its read form, from the table aliased `source`.
    private func selectSQL(_ table: TableSchema) -> String {
        let select = table.columns.map {
            PostgresValueCodec.readExpression("source." + quote($0.name), nativeType: $0.nativeType) + " AS " + quote($0.name)
        }
        .joined(separator: ", ")
        return "SELECT \(select) FROM \(qualified(table.table)) AS source"
    }

    /// An upsert of the writable columns' values, bound as one text array per column (`PostgresArrayLiteral`,
    /// all of the same length), keyed by the primary key. One parameter per column, whatever the row count:
    /// a `VALUES` list of thousands of placeholders costs more to parse and plan than to write (measured: an
    /// upsert of 5,000 rows ran twice as fast this way).
    package func upsertSQL(_ table: TableSchema) -> String {
        let columns = table.writableColumns
        let names = columns.map { quote($0.name) }.joined(separator: ", ")
        let identity = columns.contains { $0.isIdentity } ? " OVERRIDING SYSTEM VALUE" : ""
        var sql = "INSERT INTO \(qualified(table.table)) (\(names))\(identity) \(unnestSelect(columns, from: 1))"
        guard table.hasPrimaryKey else { return sql }
        let keys = table.primaryKey.map(quote).joined(separator: ", ")
        // A GENERATED ALWAYS identity may be inserted (OVERRIDING SYSTEM VALUE) but never updated.
        let updates = table.updatableColumns.map { "\(quote($0.name)) = EXCLUDED.\(quote($0.name))" }
        sql += updates.isEmpty ? " ON CONFLICT (\(keys)) DO NOTHING" : " ON CONFLICT (\(keys)) DO UPDATE SET \(updates.joined(separator: ", "))"
        return sql
    }

    /// Deletes the rows whose keys are bound as one text array per key column.
    package func deleteSQL(_ table: TableSchema) -> String {
        let keys = table.primaryKey.compactMap { table.column($0) }.map { "source." + quote($0.name) }.joined(separator: ", ")
        return "DELETE FROM \(qualified(table.table)) AS source WHERE (\(keys)) IN (\(boundKeys(table)))"
    }

    /// The key tuples bound as one text array per key column, from `$1`.
    private func boundKeys(_ table: TableSchema) -> String {
        unnestSelect(table.primaryKey.compactMap { table.column($0) }, from: 1)
    }

    /// `SELECT` each bound text array's elements cast to its column's type, row by row: parameters
    /// `$first…` in `columns` order. The unnested columns are named by position, never by the table's names.
    private func unnestSelect(_ columns: [ColumnSchema], from first: Int) -> String {
        let casts = columns.indices.map { "bound.c\($0 + 1)::\(castType(columns[$0]))" }.joined(separator: ", ")
        let arrays = columns.indices.map { "$\(first + $0)::text[]" }.joined(separator: ", ")
        let names = columns.indices.map { "c\($0 + 1)" }.joined(separator: ", ")
        return "SELECT \(casts) FROM unnest(\(arrays)) AS bound(\(names))"
    }
}
