/// T-SQL text (pure). Every value is a parameter `@pN` of type nvarchar(max), sent through
/// `sp_executesql` and converted to the column type in the statement, never spliced into SQL.
package struct TSQLDialect: Sendable {
    /// Creates the dialect.
    package init() {}

    /// `[name]` with `]` doubled.
    package func quote(_ identifier: String) -> String {
        "[" + identifier.doublingEvery("]") + "]"
    }

    /// `N'text'` with quotes doubled (for names in catalog lookups; values always go as parameters).
    package func literal(_ text: String) -> String {
        "N'" + literalBody(text) + "'"
    }

    /// `text` as it is written between the quotes of a literal (quotes doubled): SQL nested in an `EXEC(N'…')`.
    package func literalBody(_ text: String) -> String {
        text.doublingEvery("'")
    }

    /// `[schema].[table]`.
    package func qualified(_ table: TableRef) -> String { "\(quote(table.schema)).\(quote(table.name))" }

    /// The parameter declaration list for `sp_executesql`: `@p1 nvarchar(max), …`.
    package func parameterDeclarations(_ count: Int) -> String {
        (1...max(count, 1)).map { "@p\($0) nvarchar(max)" }.joined(separator: ", ")
    }

    private func castType(_ column: ColumnSchema) -> String {
        column.nativeType.isEmpty ? SQLServerTypeMap.nativeType(for: column.canonicalType) : column.nativeType
    }

    /// Parameter `@pN` (nvarchar) converted to the column's type.
    package func write(_ parameter: Int, _ column: ColumnSchema) -> String {
        SQLServerTypeMap.writeExpression("@p\(parameter)", column.canonicalType, nativeType: castType(column))
    }

    /// `CREATE TABLE` (when absent) with the best-fitting SQL Server types and the primary key.
    package func createTableSQL(_ table: TableSchema) -> String {
        var parts = table.columns.map { column in
            "\(quote(column.name)) \(SQLServerTypeMap.nativeType(for: column.canonicalType))"
                + (column.nullable && !table.primaryKey.contains(column.name) ? " NULL" : " NOT NULL")
        }
        if table.hasPrimaryKey { parts.append("PRIMARY KEY (\(table.primaryKey.map(quote).joined(separator: ", ")))") }
        return "IF OBJECT_ID(\(literal("\(quote(table.table.schema)).\(quote(table.table.name))")), N'U') IS NULL "
            + "CREATE TABLE \(qualified(table.table)) (\(parts.joined(separator: ", ")))"
    }

    /// A page of rows as text in key order; with `afterKey`, after the key bound as `@p1…@pk`.
    /// T-SQL has no row-value comparison, so the keyset condition is spelled out lexicographically; key
    /// columns are qualified by the table alias so ORDER BY never resolves to the text aliases.
    package func keysetSelectSQL(_ table: TableSchema, afterKey: Bool, upToKey: Bool = false, limit: Int) -> String {
        let keys = table.primaryKey.compactMap { table.column($0) }
        let key = { (column: ColumnSchema) in "source." + quote(column.name) }
        // With both bounds, the upper key is bound after the lower one.
        func compared(_ comparison: String, from first: Int, orEqual: Bool) -> String {
            var disjuncts = keys.indices.map { position in
                let equalities = keys[..<position].enumerated().map { "\(key($0.element)) = \(write(first + $0.offset, $0.element))" }
                let strict = "\(key(keys[position])) \(comparison) \(write(first + position, keys[position]))"
                return "(" + (equalities + [strict]).joined(separator: " AND ") + ")"
            }
            if orEqual {
                disjuncts.append(
                    "("
                        + keys.enumerated().map { "\(key($0.element)) = \(write(first + $0.offset, $0.element))" }
                        .joined(separator: " AND ") + ")")
            }
            return "(" + disjuncts.joined(separator: " OR ") + ")"
        }
        var conditions: [String] = []
        if afterKey { conditions.append(compared(">", from: 1, orEqual: false)) }
        if upToKey { conditions.append(compared("<", from: afterKey ? keys.count + 1 : 1, orEqual: true)) }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT TOP (\(limit)) \(selectList(table)) FROM \(qualified(table.table)) AS source\(filter) ORDER BY "
            + keys.map(key).joined(separator: ", ")
    }

    /// The rows whose keys are bound as `rowCount` key tuples, in key order.
    package func selectByKeysSQL(_ table: TableSchema, rowCount: Int) -> String {
        let keys = table.primaryKey.compactMap { table.column($0) }
        let tuples = ValueTuples.render(rowCount: rowCount, columns: keys, placeholder: write)
        let on = keys.map { "source.\(quote($0.name)) = wanted.\(quote($0.name))" }.joined(separator: " AND ")
        return "SELECT \(selectList(table)) FROM \(qualified(table.table)) AS source INNER JOIN (VALUES \(tuples)) "
            + "AS wanted (\(keys.map { quote($0.name) }.joined(separator: ", "))) ON \(on) ORDER BY "
            + keys.map { "source." + quote($0.name) }.joined(separator: ", ")
    }

    /// The keys (read forms), in key order, of the rows whose `column` is at least the value bound as `@p1`.
    package func keysAtLeastSQL(_ table: TableSchema, column: ColumnSchema) -> String {
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        let keys = TableSchema(table: table.table, columns: keyColumns, primaryKey: table.primaryKey)
        return "SELECT \(selectList(keys)) FROM \(qualified(table.table)) AS source WHERE source.\(quote(column.name)) >= \(write(1, column)) "
            + "ORDER BY " + keyColumns.map { "source." + quote($0.name) }.joined(separator: ", ")
    }

    /// The largest non-NULL value of `column` (read form).
    package func largestSQL(_ table: TableSchema, column: ColumnSchema) -> String {
        let only = TableSchema(table: table.table, columns: [column], primaryKey: [])
        return "SELECT TOP 1 \(selectList(only)) FROM \(qualified(table.table)) AS source WHERE source.\(quote(column.name)) IS NOT NULL "
            + "ORDER BY source.\(quote(column.name)) DESC"
    }

    /// Every column as its text read expression, from the table aliased `source`.
    private func selectList(_ table: TableSchema) -> String {
        table.columns.map { "\(SQLServerTypeMap.readExpression("source." + quote($0.name), $0.canonicalType)) AS \(quote($0.name))" }
            .joined(separator: ", ")
    }

    /// A multi-row `MERGE` upserting `rowCount` rows of the writable columns.
    package func mergeSQL(_ table: TableSchema, rowCount: Int) -> String {
        let columns = table.writableColumns.filter { $0.canonicalType != .rowVersion }
        let rows = ValueTuples.render(rowCount: rowCount, columns: columns, placeholder: write)
        let names = columns.map { quote($0.name) }
        let on = table.primaryKey.map { "target.\(quote($0)) = source.\(quote($0))" }.joined(separator: " AND ")
        // SQL Server inserts an identity under IDENTITY_INSERT but never updates one.
        let updates = table.updatableColumns.filter { $0.canonicalType != .rowVersion }
            .map { "target.\(quote($0.name)) = source.\(quote($0.name))" }
        var sql =
            "MERGE INTO \(qualified(table.table)) WITH (HOLDLOCK) AS target USING (VALUES \(rows)) "
            + "AS source (\(names.joined(separator: ", "))) ON \(on)"
        if !updates.isEmpty { sql += " WHEN MATCHED THEN UPDATE SET \(updates.joined(separator: ", "))" }
        sql += " WHEN NOT MATCHED THEN INSERT (\(names.joined(separator: ", "))) VALUES (\(names.map { "source.\($0)" }.joined(separator: ", ")));"
        return sql
    }

    /// Deletes the rows whose keys are bound as `rowCount` key tuples.
    package func deleteSQL(_ table: TableSchema, rowCount: Int) -> String {
        let keys = table.primaryKey.compactMap { table.column($0) }
        let tuples = ValueTuples.render(rowCount: rowCount, columns: keys, placeholder: write)
        let on = keys.map { "target.\(quote($0.name)) = doomed.\(quote($0.name))" }.joined(separator: " AND ")
        return "DELETE target FROM \(qualified(table.table)) AS target INNER JOIN (VALUES \(tuples)) "
            + "AS doomed (\(keys.map { quote($0.name) }.joined(separator: ", "))) ON \(on)"
    }

    /// Marks (or, with NULL, unmarks) this session as applying changes from `@p1`, for capture triggers.
    package let setOriginSQL = "EXEC sp_set_session_context @key = N'berqenas.origin', @value = @p1"

    /// Creates a schema when absent.
    package func ensureSchemaSQL(_ schema: String) -> String {
        "IF SCHEMA_ID(\(literal(schema))) IS NULL EXEC(\(literal("CREATE SCHEMA \(quote(schema))")))"
    }

    /// Lets explicit values into an identity column of `table` (or stops letting them).
    package func identityInsertSQL(_ table: TableRef, on: Bool) -> String {
        "SET IDENTITY_INSERT \(qualified(table)) \(on ? "ON" : "OFF")"
    }
}
