import Foundation

/// SQL Server through FreeTDS db-lib: blocking calls on a thread pool, values always as `sp_executesql`
/// parameters, a bounded pool of sessions.
package final class SQLServerConnector: DatabaseConnector {
    package let engine = DatabaseEngine.mssql
    let spec: ConnectionSpec
    let pool: ConnectionPool<FreeTDSSession>
    let dialect = TSQLDialect()
    /// SQL Server accepts at most 2100 parameters per call.
    static let maxParameters = 2000

    /// Creates a connector; nothing connects until first use.
    package init(spec: ConnectionSpec) {
        self.spec = spec
        self.pool = ConnectionPool(
            maxConnections: spec.maxConnections,
            open: { try await FreeTDSSession.open(spec) },
            close: { await $0.close() },
            isUsable: { !$0.isClosed }
        )
    }

    package func close() async {
        await pool.shutdown()
    }

    /// Runs `body` inside BEGIN … COMMIT on one session (rolled back instead with `rollback`, and on failure).
    func withTransaction<T: Sendable>(rollback: Bool = false, _ body: (FreeTDSSession) async throws -> T) async throws -> T {
        try await pool.withConnection { session in
            _ = try await session.query("BEGIN TRANSACTION")
            do {
                let result = try await body(session)
                _ = try await session.query(rollback ? "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION" : "COMMIT TRANSACTION")
                return result
            } catch {
                _ = try? await session.query("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION")
                throw error
            }
        }
    }

    package func test() async throws -> ConnectionTestResult {
        try await pool.withConnection { session in
            let clock = ContinuousClock()
            let elapsed = try await clock.measure { _ = try await session.query("SELECT 1") }
            let facts = try await session.query(TSQLIntrospection.serverFacts).first ?? []
            return ConnectionTestResult(
                serverVersion: (facts.first ?? nil) ?? "", latencyMilliseconds: elapsed / .milliseconds(1),
                encrypted: facts.count > 3 && facts[3] == "TRUE",
                capabilities: .init(
                    canCreateTriggers: facts.count > 1 && facts[1] == "1",
                    changeTrackingEnabled: facts.count > 2 && facts[2] == "1")
            )
        }
    }

    package func listTables(schema: String?) async throws -> [TableRef] {
        try await pool.withConnection { session in
            try await session.query(TSQLIntrospection.listTables, [schema]).map { TableRef(schema: $0[0] ?? "", name: $0[1] ?? "") }
        }
    }

    package func describeTable(_ table: TableRef) async throws -> TableSchema {
        try await pool.withConnection { session in
            let names: [String?] = [table.schema, table.name]
            guard let relation = try await session.query(TSQLIntrospection.relation, names).first else {
                throw ConnectorError(.queryFailed, "no table or view \(table)")
            }
            let columns = try await session.query(TSQLIntrospection.columns, names).map { row in
                let type = row[1] ?? ""
                let maxLength = Int(row[2] ?? "") ?? 0
                let precision = Int(row[3] ?? "") ?? 0
                let scale = Int(row[4] ?? "") ?? 0
                let canonical = SQLServerTypeMap.canonical(
                    name: type, maxLength: maxLength, precision: precision,
                    scale: scale, collation: row[8])
                return ColumnSchema(
                    name: row[0] ?? "", nativeType: Self.nativeSpelling(type, maxLength, precision, scale),
                    canonicalType: canonical, nullable: row[5] == "1", defaultExpression: row[9],
                    isIdentity: row[6] == "1", isFixedIdentity: row[6] == "1", isGenerated: row[7] == "1" || canonical == .rowVersion,
                    length: maxLength, precision: precision, scale: scale, collation: row[8]
                )
            }
            var indexes: [String: IndexSchema] = [:]
            var order: [String] = []
            var primaryKey: [String] = []
            var constraints: Set<String> = []
            for row in try await session.query(TSQLIntrospection.indexes, names) {
                let name = row[0] ?? ""
                if indexes[name] == nil { order.append(name) }
                indexes[name, default: IndexSchema(name: name, columns: [], isUnique: row[2] == "1")].columns.append(row[4] ?? "")
                if row[1] == "1" { primaryKey.append(row[4] ?? "") }
                if row[3] == "1" { constraints.insert(name) }
            }
            var keys: [String: ForeignKey] = [:]
            for row in try await session.query(TSQLIntrospection.foreignKeys, names) {
                let name = row[0] ?? ""
                var key =
                    keys[name]
                    ?? ForeignKey(
                        name: name, columns: [],
                        referencedTable: TableRef(
                            schema: row[2] ?? "",
                            name: row[3] ?? ""), referencedColumns: [])
                key.columns.append(row[1] ?? "")
                key.referencedColumns.append(row[4] ?? "")
                keys[name] = key
            }
            return TableSchema(
                table: table, kind: relation[0]?.trimmingCharacters(in: .whitespaces) == "V" ? .view : .table,
                columns: columns, primaryKey: primaryKey,
                uniqueConstraints: order.filter { constraints.contains($0) }.compactMap { indexes[$0]?.columns },
                foreignKeys: keys.keys.sorted().compactMap { keys[$0] }, indexes: order.compactMap { indexes[$0] },
                estimatedRowCount: (relation[1] ?? nil).flatMap { Int64($0) }
            )
        }
    }

    /// `decimal(38,10)`, `nvarchar(max)`, `datetime2(7)` from catalog facts.
    static func nativeSpelling(_ type: String, _ maxLength: Int, _ precision: Int, _ scale: Int) -> String {
        switch type {
        case "decimal", "numeric": "\(type)(\(precision),\(scale))"
        case "varchar", "varbinary", "char", "binary": "\(type)(\(maxLength < 0 ? "max" : String(maxLength)))"
        case "nvarchar", "nchar": "\(type)(\(maxLength < 0 ? "max" : String(maxLength / 2)))"
        case "datetime2", "datetimeoffset", "time": "\(type)(\(scale))"
        // A user-defined type's name comes from the database (`sys.types`) and ends up in CONVERT(...): quoted.
        default: systemTypeNames.contains(type) ? type : TSQLDialect().quote(type)
        }
    }

    /// SQL Server's own type names that need no length, precision or scale.
    static let systemTypeNames: Set<String> = [
        "bit", "tinyint", "smallint", "int", "bigint", "money", "smallmoney", "float", "real", "text", "ntext", "image",
        "uniqueidentifier", "date", "datetime", "smalldatetime", "xml", "json", "geometry", "geography", "hierarchyid",
        "timestamp", "rowversion", "sql_variant", "sysname",
    ]

    package func readRange(_ table: TableSchema, after: [CanonicalValue]?, upTo upper: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage {
        try table.requirePrimaryKey(for: "it cannot be read in key order")
        let sql = dialect.keysetSelectSQL(table, afterKey: after != nil, upToKey: upper != nil, limit: limit)
        let rows = try await pool.withConnection { session in
            try await readRows(sql, ((after ?? []) + (upper ?? [])).map(SQLServerValueCodec.encode), of: table, on: session)
        }
        let keyIndexes = table.primaryKeyIndexes
        return SnapshotPage(rows: rows, nextKey: rows.count == limit ? rows.last.map { row in keyIndexes.map { row.values[$0] } } : nil)
    }

    package func keys(of table: TableSchema, where column: String, atLeast value: CanonicalValue) async throws -> [[CanonicalValue]] {
        try table.requirePrimaryKey(for: "the rows changed since a watermark cannot be named")
        let watermark = try table.requireColumn(column)
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        return try await pool.withConnection { session in
            try await readRows(dialect.keysAtLeastSQL(table, column: watermark), [SQLServerValueCodec.encode(value)], of: keyColumns, on: session)
        }.map(\.values)
    }

    package func largest(_ column: String, of table: TableSchema) async throws -> CanonicalValue? {
        let watermark = try table.requireColumn(column)
        return try await pool.withConnection { session in
            try await readRows(dialect.largestSQL(table, column: watermark), [], of: [watermark], on: session)
        }.first?.values.first
    }

    package func fetchRows(_ table: TableSchema, keys: [[CanonicalValue]]) async throws -> [Row] {
        try table.requirePrimaryKey(for: "rows cannot be looked up by key")
        return try await pool.withConnection { session in
            var rows: [Row] = []
            for chunk in keys.chunked(Swift.max(1, Self.maxParameters / Swift.max(1, table.primaryKey.count))) {
                rows += try await readRows(
                    dialect.selectByKeysSQL(table, rowCount: chunk.count),
                    chunk.flatMap { $0.map(SQLServerValueCodec.encode) }, of: table, on: session)
            }
            return rows
        }
    }

    package func select(_ sql: String, binds: [String?], columns: [ColumnSchema]) async throws -> [Row] {
        try await pool.withConnection { session in
            try await readRows(sql, binds, of: columns, on: session)
        }
    }

    package func write(
        _ statements: [BoundStatement], returning columns: [ColumnSchema],
        verify: @Sendable ([Row]) throws -> Void
    ) async throws -> [Row] {
        try await withTransaction { session in
            var rows: [Row] = []
            for statement in statements {
                rows += try await readRows(statement.sql, statement.binds.map(SQLServerValueCodec.encode), of: columns, on: session)
            }
            try verify(rows)
            return rows
        }
    }

    /// Runs a select of every column of `table` (as text) and decodes the rows.
    private func readRows(_ sql: String, _ binds: [String?], of table: TableSchema, on session: FreeTDSSession) async throws -> [Row] {
        try await readRows(sql, binds, of: table.columns, on: session)
    }

    /// Runs a select of `columns` (as text) and decodes the rows.
    private func readRows(_ sql: String, _ binds: [String?], of columns: [ColumnSchema], on session: FreeTDSSession) async throws -> [Row] {
        let types = columns.map(\.canonicalType)
        return try await session.query(sql, binds).map { cells in
            Row(try zip(cells, types).map { try SQLServerValueCodec.decode($0, as: $1) })
        }
    }

    package func apply(_ changes: [RowChange], to table: TableSchema, origin: String?) async throws {
        try table.requirePrimaryKey(for: "changes cannot be matched to rows")
        let writable = table.columns.indices.filter { !table.columns[$0].isGenerated && table.columns[$0].canonicalType != .rowVersion }
        let identity = table.columns.contains { $0.isIdentity }
        try await withTransaction { session in
            if let origin { _ = try await session.query(dialect.setOriginSQL, [origin]) }
            if identity { _ = try await session.query(dialect.identityInsertSQL(table.table, on: true)) }
            // With an origin, change tracking records it as the change context (triggers read the session context).
            func run(_ statement: String, _ values: [String?]) async throws {
                if let origin {
                    _ = try await session.query(TSQLCapture.withContext(statement), [origin] + values, firstIndex: 0)
                } else {
                    _ = try await session.query(statement, values)
                }
            }
            try await changes.applyInChunks(
                columns: writable.count, keyColumns: table.primaryKey.count, maxParameters: Self.maxParameters,
                upsert: { rows in
                    try await run(
                        dialect.mergeSQL(table, rowCount: rows.count),
                        rows.flatMap { row in writable.map { SQLServerValueCodec.encode(row.values[$0]) } })
                },
                delete: { keys in
                    try await run(dialect.deleteSQL(table, rowCount: keys.count), keys.flatMap { $0.map(SQLServerValueCodec.encode) })
                }
            )
            if identity { _ = try await session.query(dialect.identityInsertSQL(table.table, on: false)) }
            if origin != nil { _ = try await session.query(dialect.setOriginSQL, [nil]) }
        }
    }

    package func bulkLoad(_ rows: [Row], into table: TableSchema, origin: String?) async throws {
        try await apply(rows.map(RowChange.upsert), to: table, origin: origin)
    }

    package func createTable(_ table: TableSchema) async throws {
        try await pool.withConnection { session in
            _ = try await session.query(dialect.ensureSchemaSQL(table.table.schema))
            _ = try await session.query(dialect.createTableSQL(table))
        }
    }
}
