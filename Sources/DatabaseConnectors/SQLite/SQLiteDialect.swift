/// SQL text for SQLite (pure): identifiers quoted, values bound as `?`.
package struct SQLiteDialect: Sendable {
    /// Creates the dialect.
    package init() {}

    /// `"name"` with embedded quotes doubled.
    package func quote(_ identifier: String) -> String {
        "\"" + identifier.doublingEvery("\"") + "\""
    }

    /// `'text'` with embedded quotes doubled (names inside trigger bodies; values are always bound).
    package func literal(_ text: String) -> String {
        "'" + text.doublingEvery("'") + "'"
    }

    /// The table name (SQLite's `main` schema is implied).
    package func qualified(_ table: TableRef) -> String {
        table.schema.isEmpty || table.schema == "main" ? quote(table.name) : "\(quote(table.schema)).\(quote(table.name))"
    }

    /// `CREATE TABLE IF NOT EXISTS` with affinity-safe declared types and the primary key.
    package func createTableSQL(_ table: TableSchema) -> String {
        var parts = table.columns.map { column in
            "\(quote(column.name)) \(SQLiteTypeMap.declaredType(for: column.canonicalType))" + (column.nullable ? "" : " NOT NULL")
        }
        if table.hasPrimaryKey {
            parts.append("PRIMARY KEY (\(table.primaryKey.map(quote).joined(separator: ", ")))")
        }
        return "CREATE TABLE IF NOT EXISTS \(qualified(table.table)) (\(parts.joined(separator: ", ")))"
    }

    /// A page of rows in key order, after the bound key when `afterKey`.
    package func keysetSelectSQL(_ table: TableSchema, afterKey: Bool, upToKey: Bool = false, limit: Int) -> String {
        let select = table.columns.map { quote($0.name) }.joined(separator: ", ")
        let order = table.primaryKey.map(quote).joined(separator: ", ")
        let bound = "(" + table.primaryKey.map { _ in "?" }.joined(separator: ", ") + ")"
        let conditions = (afterKey ? ["(\(order)) > \(bound)"] : []) + (upToKey ? ["(\(order)) <= \(bound)"] : [])
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(select) FROM \(qualified(table.table))\(filter) ORDER BY \(order) LIMIT \(limit)"
    }

    /// The keys, in key order, of the rows whose `column` is at least the bound value.
    package func keysAtLeastSQL(_ table: TableSchema, column: String) -> String {
        let keys = table.primaryKey.map(quote).joined(separator: ", ")
        return "SELECT \(keys) FROM \(qualified(table.table)) WHERE \(quote(column)) >= ? ORDER BY \(keys)"
    }

    /// The largest non-NULL value of `column`.
    package func largestSQL(_ table: TableSchema, column: String) -> String {
        "SELECT \(quote(column)) FROM \(qualified(table.table)) WHERE \(quote(column)) IS NOT NULL ORDER BY \(quote(column)) DESC LIMIT 1"
    }

    /// The rows whose keys are bound as `rowCount` key tuples, in key order.
    package func selectByKeysSQL(_ table: TableSchema, rowCount: Int) -> String {
        let keys = table.primaryKey.map(quote).joined(separator: ", ")
        let tuples = ValueTuples.render(rowCount: rowCount, columns: table.primaryKey.compactMap { table.column($0) }) { _, _ in "?" }
        return "SELECT \(table.columns.map { quote($0.name) }.joined(separator: ", ")) FROM \(qualified(table.table)) "
            + "WHERE (\(keys)) IN (VALUES \(tuples)) ORDER BY \(keys)"
    }

    /// A multi-row upsert of the writable columns keyed by the primary key.
    package func upsertSQL(_ table: TableSchema, rowCount: Int) -> String {
        let columns = table.writableColumns
        var sql =
            "INSERT INTO \(qualified(table.table)) (\(columns.map { quote($0.name) }.joined(separator: ", "))) VALUES "
            + ValueTuples.render(rowCount: rowCount, columns: columns) { _, _ in "?" }
        guard table.hasPrimaryKey else { return sql }
        let updates = columns.filter { !table.primaryKey.contains($0.name) }
            .map { "\(quote($0.name)) = excluded.\(quote($0.name))" }
        let keys = table.primaryKey.map(quote).joined(separator: ", ")
        sql += updates.isEmpty ? " ON CONFLICT (\(keys)) DO NOTHING" : " ON CONFLICT (\(keys)) DO UPDATE SET \(updates.joined(separator: ", "))"
        return sql
    }

    /// Deletes the rows whose keys are bound as `rowCount` key tuples.
    package func deleteSQL(_ table: TableSchema, rowCount: Int) -> String {
        let keys = table.primaryKey.compactMap { table.column($0) }
        return "DELETE FROM \(qualified(table.table)) WHERE (\(table.primaryKey.map(quote).joined(separator: ", "))) IN (VALUES "
            + ValueTuples.render(rowCount: rowCount, columns: keys) { _, _ in "?" } + ")"
    }
}
