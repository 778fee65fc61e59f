import Foundation

extension SQLServerConnector {
    package func installCapture(on table: TableRef, mode: CaptureMode) async throws {
        let schema = try await describeTable(table)
        try await pool.withConnection { session in
            for statement in TSQLCapture.setup { _ = try await session.query(statement) }
            switch mode {
            case .triggers:
                _ = try await session.query(TSQLCapture.createTrigger(schema))
            case .changeTracking:
                guard schema.hasPrimaryKey else {
                    throw ConnectorError(.unsupported, "change tracking needs a primary key on \(table)")
                }
                for statement in TSQLCapture.enableChangeTracking(table) { _ = try await session.query(statement) }
            case .compare:
                throw ConnectorError(.unsupported, "the compare capture mode installs nothing")
            }
            _ = try await session.query(TSQLCapture.recordCapture, [table.schema, table.name, mode.rawValue, Self.signature(schema)])
        }
    }

    package func uninstallCapture(on table: TableRef) async throws {
        try await pool.withConnection { session in
            _ = try await session.query(TSQLCapture.dropTrigger(table))
            _ = try await session.query(TSQLCapture.disableChangeTracking(table))
            if try await session.query("SELECT OBJECT_ID(N'berqenas_sync.captured_tables') AS id").first?.first ?? nil != nil {
                _ = try await session.query(TSQLCapture.forgetCapture, [table.schema, table.name])
            }
        }
    }

    package func captureStatus(of table: TableRef, excludingOrigin: String?) async throws -> CaptureStatus {
        try await pool.withConnection { session in
            guard try await session.query("SELECT OBJECT_ID(N'berqenas_sync.captured_tables') AS id").first?.first ?? nil != nil else {
                return CaptureStatus(installed: false, mode: nil, pendingChanges: 0)
            }
            let recorded = try await session.query(TSQLCapture.capturedTable, [table.schema, table.name]).first
            let mode = (recorded?.first ?? nil).flatMap(CaptureMode.init(rawValue:))
            let pending =
                Int((try await session.query(TSQLCapture.pendingCount, [table.schema, table.name, excludingOrigin]).first?.first ?? nil) ?? "0") ?? 0
            return CaptureStatus(installed: mode != nil, mode: mode, pendingChanges: pending)
        }
    }

    /// The cursor covers both capture modes: the log's sequence and change tracking's version.
    struct Cursor: Codable {
        var log: Int64 = 0
        var version: Int64 = 0
    }

    package func readChanges(
        of tables: [TableSchema], after cursor: String?, excludingOrigin: String?,
        limit: Int
    ) async throws -> ChangeBatch {
        var position =
            try cursor.map { text in
                guard text.hasPrefix("mssql:"), let decoded = try? JSONDecoder().decode(Cursor.self, from: Data(text.dropFirst(6).utf8)) else {
                    throw ConnectorError(.invalidValue, "not a SQL Server capture cursor: \(text)")
                }
                return decoded
            } ?? Cursor()
        var changes: [ChangeRecord] = []
        var hasMore = false
        try await pool.withConnection { session in
            let currentVersion =
                Int64((try await session.query("SELECT CONVERT(varchar(20), CHANGE_TRACKING_CURRENT_VERSION())").first?.first ?? nil) ?? "") ?? 0
            var logged: [ChangeRecord] = []
            for table in tables {
                let recorded = try await session.query(TSQLCapture.capturedTable, [table.table.schema, table.table.name]).first
                switch (recorded?.first ?? nil).flatMap(CaptureMode.init(rawValue:)) {
                case .triggers?:
                    if (recorded?[1] ?? nil) != Self.signature(table) {
                        // The table changed shape: re-create the trigger so new columns are captured.
                        _ = try await session.query(TSQLCapture.createTrigger(table))
                        _ = try await session.query(
                            TSQLCapture.recordCapture,
                            [
                                table.table.schema, table.table.name,
                                CaptureMode.triggers.rawValue, Self.signature(table),
                            ])
                    }
                    let rows = try await session.query(
                        TSQLCapture.readLog(limit: limit + 1),
                        [
                            String(position.log), excludingOrigin, table.table.schema, table.table.name,
                        ])
                    logged += try rows.map { try Self.logRecord($0, table: table) }
                case .changeTracking?:
                    let valid = try await session.query(TSQLCapture.minimumValidVersion(table.table)).first
                    if let minimum = Int64((valid?.first ?? nil) ?? ""), position.version > 0, minimum > position.version {
                        throw ConnectorError(
                            .captureExpired,
                            "change tracking for \(table.table) no longer holds version "
                                + "\(position.version) (oldest is \(minimum)): a full snapshot is needed")
                    }
                    let rows = try await session.query(TSQLCapture.readChangeTable(table), [String(position.version), excludingOrigin])
                    changes += try rows.map { try Self.trackedRecord($0, table: table) }
                case nil, .compare?:
                    continue
                }
            }
            logged.sort { $0.sequence < $1.sequence }
            hasMore = logged.count > limit
            let page = logged.prefix(limit)
            if let last = page.last { position.log = last.sequence }
            changes += page
            position.version = max(position.version, currentVersion)
        }
        let encoded = String(decoding: try JSONEncoder().encode(position), as: UTF8.self)
        return ChangeBatch(changes: changes, cursor: "mssql:" + encoded, hasMore: hasMore)
    }

    package func acknowledge(_ cursor: String, of tables: [TableRef]) async throws {
        guard cursor.hasPrefix("mssql:"),
            let position = try? JSONDecoder().decode(Cursor.self, from: Data(cursor.dropFirst(6).utf8))
        else {
            throw ConnectorError(.invalidValue, "not a SQL Server capture cursor: \(cursor)")
        }
        try await pool.withConnection { session in
            for table in tables {
                _ = try await session.query(TSQLCapture.prune, [String(position.log), table.schema, table.name])
            }
        }
    }

    package func discardChanges(madeBy origin: String, of tables: [TableRef]) async throws {
        try await pool.withConnection { session in
            guard try await session.query("SELECT OBJECT_ID(N'berqenas_sync.change_log') AS id").first?.first ?? nil != nil else { return }
            for table in tables {
                _ = try await session.query(TSQLCapture.discardOrigin, [origin, table.schema, table.name])
            }
        }
    }

    static func signature(_ table: TableSchema) -> String {
        table.columns.map { "\($0.name):\($0.nativeType)" }.joined(separator: ",")
    }

    static func logRecord(_ row: [String?], table: TableSchema) throws -> ChangeRecord {
        var unknown: Set<String> = []
        func image(_ text: String?) throws -> [String: CanonicalValue]? {
            guard let text, let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
            var values: [String: CanonicalValue] = [:]
            for (name, value) in object {
                let textValue = value as? String
                if let column = table.column(name) {
                    values[name] = try SQLServerValueCodec.decode(textValue, as: column.canonicalType)
                } else {
                    unknown.insert(name)
                    values[name] = textValue.map(CanonicalValue.text) ?? .null
                }
            }
            return values
        }
        return ChangeRecord(
            sequence: Int64(row[0] ?? "") ?? 0, table: table.table, operation: ChangeOperation(rawValue: row[3] ?? "") ?? .update,
            newRow: try image(row[4]), oldRow: try image(row[5]),
            capturedAt: TemporalText.normalizeOffset((row[6] ?? "").replacingOccurrences(of: "T", with: " ")),
            origin: row[7], unknownColumns: unknown.sorted()
        )
    }

    static func trackedRecord(_ row: [String?], table: TableSchema) throws -> ChangeRecord {
        let keyCount = table.primaryKey.count
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        var key: [String: CanonicalValue] = [:]
        for (offset, column) in keyColumns.enumerated() {
            key[column.name] = try SQLServerValueCodec.decode(row[3 + offset], as: column.canonicalType)
        }
        let operation: ChangeOperation =
            switch row[1] {
            case "I": .insert
            case "D": .delete
            default: .update
            }
        var current: [String: CanonicalValue]?
        if operation != .delete {
            var values: [String: CanonicalValue] = [:]
            for (offset, column) in table.columns.enumerated() {
                values[column.name] = try SQLServerValueCodec.decode(row[3 + keyCount + offset], as: column.canonicalType)
            }
            current = values
        }
        return ChangeRecord(
            sequence: Int64(row[0] ?? "") ?? 0, table: table.table, operation: operation,
            newRow: current, oldRow: operation == .delete ? key : nil, capturedAt: "", origin: row[2]
        )
    }
}
