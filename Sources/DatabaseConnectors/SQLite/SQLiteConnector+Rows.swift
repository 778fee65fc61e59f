import SQLiteNIO

extension SQLiteConnector {
    /// Bind variables per statement (SQLite allows 32766).
    static let maxParameters = 30_000

    package func readRange(_ table: TableSchema, after: [CanonicalValue]?, upTo upper: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage {
        try table.requirePrimaryKey(for: "it cannot be read in key order")
        let sql = dialect.keysetSelectSQL(table, afterKey: after != nil, upToKey: upper != nil, limit: limit)
        let result: [Row] = try await pool.withConnection { connection in
            try await readRows(sql, ((after ?? []) + (upper ?? [])).map(SQLiteValueCodec.encode), of: table, on: connection)
        }
        let keyIndexes = table.primaryKeyIndexes
        let nextKey = result.count == limit ? result.last.map { row in keyIndexes.map { row.values[$0] } } : nil
        return SnapshotPage(rows: result, nextKey: nextKey)
    }

    package func keys(of table: TableSchema, where column: String, atLeast value: CanonicalValue) async throws -> [[CanonicalValue]] {
        try table.requirePrimaryKey(for: "the rows changed since a watermark cannot be named")
        _ = try table.requireColumn(column)
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        return try await pool.withConnection { connection in
            try await readRows(dialect.keysAtLeastSQL(table, column: column), [SQLiteValueCodec.encode(value)], of: keyColumns, on: connection)
        }.map(\.values)
    }

    package func largest(_ column: String, of table: TableSchema) async throws -> CanonicalValue? {
        let watermark = try table.requireColumn(column)
        return try await pool.withConnection { connection in
            try await readRows(dialect.largestSQL(table, column: column), [], of: [watermark], on: connection)
        }.first?.values.first
    }

    package func fetchRows(_ table: TableSchema, keys: [[CanonicalValue]]) async throws -> [Row] {
        try table.requirePrimaryKey(for: "rows cannot be looked up by key")
        return try await pool.withConnection { connection in
            var result: [Row] = []
            for chunk in keys.chunked(Swift.max(1, Self.maxParameters / Swift.max(1, table.primaryKey.count))) {
                result += try await readRows(
                    dialect.selectByKeysSQL(table, rowCount: chunk.count),
                    chunk.flatMap { $0.map(SQLiteValueCodec.encode) }, of: table, on: connection)
            }
            return result
        }
    }

    package func select(_ sql: String, binds: [String?], columns: [ColumnSchema]) async throws -> [Row] {
        try await pool.withConnection { connection in
            try await readRows(sql, binds.map { $0.map(SQLiteData.text) ?? .null }, of: columns, on: connection)
        }
    }

    package func write(
        _ statements: [BoundStatement], returning columns: [ColumnSchema],
        verify: @Sendable ([Row]) throws -> Void
    ) async throws -> [Row] {
        try await withTransaction { connection in
            var rows: [Row] = []
            for statement in statements {
                rows += try await readRows(statement.sql, statement.binds.map(SQLiteValueCodec.encode), of: columns, on: connection)
            }
            try verify(rows)
            return rows
        }
    }

    /// Runs a select of every column of `table` and decodes the rows.
    private func readRows(_ sql: String, _ binds: [SQLiteData], of table: TableSchema, on connection: SQLiteConnection) async throws -> [Row] {
        try await readRows(sql, binds, of: table.columns, on: connection)
    }

    /// Runs a select of `columns` and decodes the rows.
    private func readRows(_ sql: String, _ binds: [SQLiteData], of columns: [ColumnSchema], on connection: SQLiteConnection) async throws -> [Row] {
        let types = columns.map(\.canonicalType)
        return try await rows(sql, binds, on: connection).map { row in
            Row(try zip(row.columns, types).map { try SQLiteValueCodec.decode($0.data, as: $1) })
        }
    }

    package func apply(_ changes: [RowChange], to table: TableSchema, origin: String?) async throws {
        try table.requirePrimaryKey(for: "changes cannot be matched to rows")
        let writable = table.columns.indices.filter { !table.columns[$0].isGenerated }
        try await withTransaction { connection in
            try await markOrigin(origin, on: connection)
            try await changes.applyInChunks(
                columns: writable.count, keyColumns: table.primaryKey.count, maxParameters: Self.maxParameters,
                upsert: { rows in
                    let binds = rows.flatMap { row in writable.map { SQLiteValueCodec.encode(row.values[$0]) } }
                    try await execute(dialect.upsertSQL(table, rowCount: rows.count), binds, on: connection)
                },
                delete: { keys in
                    let binds = keys.flatMap { $0.map(SQLiteValueCodec.encode) }
                    try await execute(dialect.deleteSQL(table, rowCount: keys.count), binds, on: connection)
                }
            )
            try await clearOrigin(origin, on: connection)
        }
    }

    package func bulkLoad(_ rows: [Row], into table: TableSchema, origin: String?) async throws {
        try await apply(rows.map(RowChange.upsert), to: table, origin: origin)
    }

    /// Marks the write transaction with its origin. Writers are exclusive in SQLite, so a row in this
    /// table, inserted and deleted inside the transaction, is visible to the capture triggers of this
    /// transaction only: a connection-local marker that any client's triggers can read.
    func markOrigin(_ origin: String?, on connection: SQLiteConnection) async throws {
        guard let origin else { return }
        try await execute(SQLiteCaptureSQL.createOriginTable, on: connection)
        try await execute("INSERT INTO _berqenas_apply_origin (origin) VALUES (?)", [.text(origin)], on: connection)
    }

    func clearOrigin(_ origin: String?, on connection: SQLiteConnection) async throws {
        guard origin != nil else { return }
        try await execute("DELETE FROM _berqenas_apply_origin", on: connection)
    }
}
