import Foundation
import SQLiteNIO

extension SQLiteConnector {
    package func installCapture(on table: TableRef, mode: CaptureMode) async throws {
        guard mode == .triggers else { throw ConnectorError(.unsupported, "SQLite supports the triggers capture mode only") }
        try await withTransaction { connection in
            for statement in SQLiteCaptureSQL.setup { try await execute(statement, on: connection) }
            try await refreshTriggers(table.name, force: true, on: connection)
        }
    }

    package func uninstallCapture(on table: TableRef) async throws {
        try await withTransaction { connection in
            for statement in SQLiteCaptureSQL.drop(table: table.name, dialect: dialect) {
                try await execute(statement, on: connection)
            }
            if try await hasCatalog(on: connection) {
                try await execute("DELETE FROM _berqenas_capture WHERE table_name = ?", [.text(table.name)], on: connection)
            }
        }
    }

    package func captureStatus(of table: TableRef, excludingOrigin: String?) async throws -> CaptureStatus {
        try await pool.withConnection { connection in
            guard try await hasCatalog(on: connection) else { return CaptureStatus(installed: false, mode: nil, pendingChanges: 0) }
            let installed =
                try await rows(
                    "SELECT 1 AS x FROM _berqenas_capture WHERE table_name = ?", [.text(table.name)],
                    on: connection
                ).first != nil
            let origin = excludingOrigin.map(SQLiteData.text) ?? .null
            let pending =
                try await rows(
                    """
                    SELECT count(*) AS n FROM _berqenas_change_log WHERE table_name = ? AND (? IS NULL OR origin IS NOT ?)
                    """, [.text(table.name), origin, origin], on: connection
                ).first?.column("n")?.integer ?? 0
            return CaptureStatus(installed: installed, mode: installed ? .triggers : nil, pendingChanges: pending)
        }
    }

    package func readChanges(
        of tables: [TableSchema], after cursor: String?, excludingOrigin: String?,
        limit: Int
    ) async throws -> ChangeBatch {
        let after = try Self.sequence(of: cursor)
        let byName = Dictionary(tables.map { ($0.table.name, $0) }, uniquingKeysWith: { first, _ in first })
        // A table that gained a column gets triggers that capture it from now on. The check only reads;
        // the write lock is taken when a rebuild is due.
        let stale = try await pool.withConnection { connection in
            var stale: [String] = []
            for table in tables where try await needsNewTriggers(table.table.name, on: connection) { stale.append(table.table.name) }
            return stale
        }
        if !stale.isEmpty {
            try await withTransaction { connection in
                for table in stale { try await refreshTriggers(table, force: false, on: connection) }
            }
        }
        return try await pool.withConnection { connection in
            let names = tables.map { _ in "?" }.joined(separator: ", ")
            var binds: [SQLiteData] = [.integer(Int(after))] + tables.map { .text($0.table.name) }
            let origin = excludingOrigin.map(SQLiteData.text) ?? .null
            binds += [origin, origin]
            let found = try await rows(
                """
                SELECT seq, table_name, op, new_row, old_row, captured_at, origin FROM _berqenas_change_log
                WHERE seq > ? AND table_name IN (\(names)) AND (? IS NULL OR origin IS NOT ?)
                ORDER BY seq LIMIT \(limit + 1)
                """, binds, on: connection)
            let changes = try found.prefix(limit).map { try Self.changeRecord($0, tables: byName) }
            let last = changes.last?.sequence ?? after
            return ChangeBatch(changes: changes, cursor: "sqlite:\(last)", hasMore: found.count > limit)
        }
    }

    package func acknowledge(_ cursor: String, of tables: [TableRef]) async throws {
        let sequence = try Self.sequence(of: cursor)
        try await pool.withConnection { connection in
            for table in tables {
                try await execute(
                    "DELETE FROM _berqenas_change_log WHERE seq <= ? AND table_name = ?",
                    [.integer(Int(sequence)), .text(table.name)], on: connection)
            }
        }
    }

    package func discardChanges(madeBy origin: String, of tables: [TableRef]) async throws {
        try await pool.withConnection { connection in
            guard try await hasCatalog(on: connection) else { return }
            for table in tables {
                try await execute(
                    "DELETE FROM _berqenas_change_log WHERE origin = ? AND table_name = ?",
                    [.text(origin), .text(table.name)], on: connection)
            }
        }
    }

    private func hasCatalog(on connection: SQLiteConnection) async throws -> Bool {
        try await rows("SELECT 1 AS x FROM sqlite_master WHERE name = '_berqenas_capture'", on: connection).first != nil
    }

    /// Whether a captured table's columns differ from those its triggers were made for.
    private func needsNewTriggers(_ table: String, on connection: SQLiteConnection) async throws -> Bool {
        guard let recorded = try await recordedSignature(table, on: connection) else { return false }
        return try await currentColumns(table, on: connection).signature != recorded
    }

    /// Rebuilds the triggers of a captured table when its columns differ from those recorded (or always).
    private func refreshTriggers(_ table: String, force: Bool, on connection: SQLiteConnection) async throws {
        let recorded = try await recordedSignature(table, on: connection)
        guard force || recorded != nil else { return }
        let (columns, signature) = try await currentColumns(table, on: connection)
        guard force || recorded != signature else { return }
        for statement in SQLiteCaptureSQL.triggers(table: table, columns: columns, dialect: dialect) {
            try await execute(statement, on: connection)
        }
        try await execute(
            "INSERT OR REPLACE INTO _berqenas_capture (table_name, columns) VALUES (?, ?)",
            [.text(table), .text(signature)], on: connection)
    }

    private func recordedSignature(_ table: String, on connection: SQLiteConnection) async throws -> String? {
        guard try await hasCatalog(on: connection) else { return nil }
        return try await rows(
            "SELECT columns FROM _berqenas_capture WHERE table_name = ?", [.text(table)],
            on: connection
        ).first?.column("columns")?.string
    }

    private func currentColumns(_ table: String, on connection: SQLiteConnection) async throws -> (columns: [String], signature: String) {
        let columns = try await rows("PRAGMA table_xinfo(\(dialect.quote(table)))", on: connection)
            .filter { ($0.column("hidden")?.integer ?? 0) != 1 }
            .compactMap { $0.column("name")?.string }
        return (columns, String(decoding: try JSONEncoder().encode(columns), as: UTF8.self))
    }

    static func sequence(of cursor: String?) throws -> Int64 {
        guard let cursor else { return 0 }
        guard cursor.hasPrefix("sqlite:"), let value = Int64(cursor.dropFirst(7)) else {
            throw ConnectorError(.invalidValue, "not a SQLite capture cursor: \(cursor)")
        }
        return value
    }

    static func changeRecord(_ row: SQLiteRow, tables: [String: TableSchema]) throws -> ChangeRecord {
        let tableName = row.column("table_name")?.string ?? ""
        let schema = tables[tableName]
        var unknown: Set<String> = []
        func image(_ text: String?) throws -> [String: CanonicalValue]? {
            guard let text, let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [Any]] else {
                return nil
            }
            var values: [String: CanonicalValue] = [:]
            for (name, pair) in object {
                let storage = pair.first as? String ?? "null"
                let raw = pair.count > 1 ? pair[1] as? String : nil
                let data: SQLiteData =
                    switch (storage, raw) {
                    case (_, nil): .null
                    case let ("integer", text?): Int(text).map(SQLiteData.integer) ?? .text(text)
                    case let ("real", text?): Double(text).map(SQLiteData.float) ?? .text(text)
                    case let ("blob", text?): .blob(.init(bytes: HexBytes.decode(text) ?? []))
                    case let (_, text?): .text(text)
                    }
                if let column = schema?.column(name) {
                    values[name] = try SQLiteValueCodec.decode(data, as: column.canonicalType)
                } else {
                    unknown.insert(name)
                    values[name] = raw.map(CanonicalValue.text) ?? .null
                }
            }
            return values
        }
        return ChangeRecord(
            sequence: Int64(row.column("seq")?.integer ?? 0), table: TableRef(schema: "main", name: tableName),
            operation: ChangeOperation(rawValue: row.column("op")?.string ?? "") ?? .update,
            newRow: try image(row.column("new_row")?.string), oldRow: try image(row.column("old_row")?.string),
            capturedAt: row.column("captured_at")?.string ?? "", origin: row.column("origin")?.string,
            unknownColumns: unknown.sorted()
        )
    }
}
