import PostgresNIO

extension PostgresConnector {
    var captureSQL: PostgresCaptureSQL { PostgresCaptureSQL(schema: spec.captureSchema, installLock: spec.captureInstallLock) }

    package func installCapture(on table: TableRef, mode: CaptureMode) async throws {
        guard mode == .triggers else {
            throw ConnectorError(.unsupported, "PostgreSQL supports the triggers capture mode only")
        }
        let relation = PostgresDialect().qualified(table)
        try await withTransaction { connection in
            let updates: PostgresUpdateCapture
            if try await scalar(PostgresCaptureSQL.isChildCheck, [relation], on: connection) == "true" {
                updates = .rowTriggersOnly
            } else {
                let key = try await textRows(PostgresCaptureSQL.primaryKeyColumns(of: "to_regclass($1)"), [relation], on: connection).compactMap {
                    $0[0]
                }
                let oid = try await scalar("SELECT to_regclass($1)::oid::text", [relation], on: connection) ?? ""
                updates = key.isEmpty ? .rowUpdates : .pairedByKey(function: "capture_updated_" + oid, key: key)
            }
            let earlier = try await scalar(captureSQL.updateFunctionLookup, [relation], on: connection)
            for statement in captureSQL.install(relation, updates: updates) { try await execute(statement, on: connection) }
            if let earlier, earlier != (try await scalar(captureSQL.updateFunctionLookup, [relation], on: connection)) {
                try await execute("DROP FUNCTION IF EXISTS \(earlier)", on: connection)
            }
        }
    }

    /// Brings an installed capture schema's functions up to this version (what its triggers do and which
    /// channel they notify); nothing when no capture is installed. Idempotent.
    package func refreshCapture() async throws {
        try await withTransaction { connection in
            guard try await scalar("SELECT to_regclass($1)::text", [captureSQL.log], on: connection) != nil else { return }
            for statement in captureSQL.setup { try await execute(statement, on: connection) }
        }
    }

    package func uninstallCapture(on table: TableRef) async throws {
        let relation = PostgresDialect().qualified(table)
        try await withTransaction { connection in
            let function = try await scalar(captureSQL.updateFunctionLookup, [relation], on: connection)
            for statement in captureSQL.uninstall(relation) { try await execute(statement, on: connection) }
            if let function { try await execute("DROP FUNCTION IF EXISTS \(function)", on: connection) }
        }
    }

    package func captureStatus(of table: TableRef, excludingOrigin: String?) async throws -> CaptureStatus {
        let relation = PostgresDialect().qualified(table)
        return try await withConnection { connection in
            let installed = try await scalar(PostgresCaptureSQL.installedCheck, [relation], on: connection) == "true"
            let logExists = try await scalar("SELECT to_regclass($1)::text", [captureSQL.log], on: connection) != nil
            var pending = 0
            if logExists {
                pending = Int(try await scalar(captureSQL.pendingCount, [table.schema, table.name, excludingOrigin], on: connection) ?? "0") ?? 0
            }
            return CaptureStatus(installed: installed, mode: installed ? .triggers : nil, pendingChanges: pending)
        }
    }

    package func readChanges(
        of tables: [TableSchema], after cursor: String?, excludingOrigin: String?,
        limit: Int
    ) async throws -> ChangeBatch {
        var position = try cursor.map(PostgresCaptureCursor.init) ?? .start
        let byName = Dictionary(tables.map { ($0.table, $0) }, uniquingKeysWith: { first, _ in first })
        let schemas = PostgresLiteral.renderArray(tables.map { .value($0.table.schema) })
        let names = PostgresLiteral.renderArray(tables.map { .value($0.table.name) })
        return try await withConnection { connection in
            if position.window == nil {
                position.window = try await scalar("SELECT pg_current_snapshot()::text", on: connection)
                position.afterSequence = 0
            }
            let window = position.window ?? position.consumed
            let rows = try await textRows(
                captureSQL.readWindow(limit: limit + 1),
                [
                    position.consumed, window, String(position.afterSequence), excludingOrigin, schemas, names,
                ], on: connection)
            let changes = try rows.prefix(limit).map { try Self.changeRecord($0, tables: byName) }
            if rows.count > limit, position.afterSequence == 0 { await refreshLogStatistics(on: connection) }
            if rows.count > limit, let last = changes.last {
                position.afterSequence = last.sequence
                return ChangeBatch(changes: changes, cursor: position.text, hasMore: true)
            }
            let next = PostgresCaptureCursor(consumed: window, window: nil, afterSequence: 0)
            return ChangeBatch(changes: changes, cursor: next.text, hasMore: false)
        }
    }

    /// Brings the planner's statistics of the log up to date, best effort. Called when the first read of
    /// a window finds more than a batch: the window's transaction ids are newer than the statistics know,
    /// so the planner takes the window for a few rows and reads all of them, sorted, for every batch (1.1 s
    /// a batch with 1,000,000 rows logged; 20 ms once analyzed, reading in sequence order).
    private func refreshLogStatistics(on connection: PostgresConnection) async {
        do {
            try await execute("BEGIN", on: connection)
            // Another reader analyzing the same log, or a vacuum, is not worth waiting for.
            try await execute("SET LOCAL lock_timeout = 200", on: connection)
            try await execute(captureSQL.analyze, on: connection)
            try await execute("COMMIT", on: connection)
        } catch {
            try? await execute("ROLLBACK", on: connection)
            logger.debug("the change log's statistics were not refreshed: \(error)")
        }
    }

    package func acknowledge(_ cursor: String, of tables: [TableRef]) async throws {
        let position = try PostgresCaptureCursor(cursor)
        let schemas = PostgresLiteral.renderArray(tables.map { .value($0.schema) })
        let names = PostgresLiteral.renderArray(tables.map { .value($0.name) })
        try await withConnection { connection in
            let pruned = Int(try await scalar(captureSQL.prune, [position.consumed, schemas, names], on: connection) ?? "0") ?? 0
            if logChurn.addPruned(pruned, vacuumAfter: PostgresCaptureSQL.vacuumAfterPrunedRows) {
                try await execute(captureSQL.vacuum, on: connection)
            }
        }
    }

    package func discardChanges(madeBy origin: String, of tables: [TableRef]) async throws {
        let schemas = PostgresLiteral.renderArray(tables.map { .value($0.schema) })
        let names = PostgresLiteral.renderArray(tables.map { .value($0.name) })
        try await withConnection { connection in
            guard try await scalar("SELECT to_regclass($1)::text", [captureSQL.log], on: connection) != nil else { return }
            try await execute(captureSQL.discardOrigin, [origin, schemas, names], on: connection)
        }
    }

    static func changeRecord(_ row: [String?], tables: [TableRef: TableSchema]) throws -> ChangeRecord {
        let ref = TableRef(schema: row[1] ?? "", name: row[2] ?? "")
        let schema = tables[ref]
        let names: [String] =
            try row[4].map { text in
                try PostgresLiteral.parseArray(text).compactMap { if case let .value(name) = $0 { name } else { nil } }
            } ?? []
        var unknown: Set<String> = []
        func image(_ text: String?) throws -> [String: CanonicalValue]? {
            guard let text else { return nil }
            let fields = try PostgresLiteral.parseRecord(text)
            var values: [String: CanonicalValue] = [:]
            for (name, field) in zip(names, fields) {
                if let column = schema?.column(name) {
                    values[name] = try PostgresValueCodec.decode(field, as: column.canonicalType)
                } else {
                    unknown.insert(name)
                    values[name] = field.map(CanonicalValue.text) ?? .null
                }
            }
            return values
        }
        let newRow = try image(row[5])
        let oldRow = try image(row[6])
        return ChangeRecord(
            sequence: Int64(row[0] ?? "") ?? 0, table: ref,
            operation: ChangeOperation(rawValue: row[3] ?? "") ?? .update,
            newRow: newRow, oldRow: oldRow, capturedAt: TemporalText.normalizeOffset(row[7] ?? ""),
            origin: row[8], unknownColumns: unknown.sorted()
        )
    }
}
