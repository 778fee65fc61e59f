import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// SQLite files through SQLiteNIO (statements run on its thread pool, never on an event loop).
package final class SQLiteConnector: DatabaseConnector {
    package let engine = DatabaseEngine.sqlite
    let path: String
    let logger: Logger
    let pool: ConnectionPool<SQLiteConnection>
    let dialect = SQLiteDialect()

    /// Creates a connector over the file `spec.database` (created on first use).
    package init(spec: ConnectionSpec, logger: Logger = Logger(label: "berqenas.connector.sqlite")) {
        let path = spec.database
        self.path = path
        self.logger = logger
        let busyTimeout = Int(spec.statementTimeout * 1000)
        self.pool = ConnectionPool(
            maxConnections: spec.maxConnections,
            open: {
                let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                do {
                    try await connection.query("PRAGMA busy_timeout = \(busyTimeout)", []) { _ in }
                    try await connection.query("PRAGMA journal_mode = WAL", []) { _ in }
                    return connection
                } catch {
                    // A connection that failed its set-up (the file locked by another writer) is closed, not leaked.
                    try? await connection.close()
                    throw ConnectorError(.queryFailed, "SQLite: \(error)")
                }
            },
            close: { try? await $0.close() },
            isUsable: { !$0.isClosed }
        )
    }

    package func close() async {
        await pool.shutdown()
    }

    /// Every row of `sql`.
    func rows(_ sql: String, _ binds: [SQLiteData] = [], on connection: SQLiteConnection) async throws -> [SQLiteRow] {
        do {
            return try await connection.query(sql, binds)
        } catch {
            throw Self.queryError(error)
        }
    }

    /// A failed statement as a connector error (constraint failures by kind, from SQLite's message).
    static func queryError(_ error: any Error) -> ConnectorError {
        let text = "\(error)"
        let kinds: [(String, ConnectorError.Code)] = [
            ("UNIQUE constraint failed", .uniqueViolation), ("FOREIGN KEY constraint failed", .foreignKeyViolation),
            ("NOT NULL constraint failed", .notNullViolation), ("CHECK constraint failed", .checkViolation),
        ]
        for (marker, code) in kinds where text.contains(marker) { return ConnectorError(code, "SQLite: \(text)") }
        return ConnectorError(.queryFailed, "SQLite: \(text)")
    }

    /// Runs a statement.
    func execute(_ sql: String, _ binds: [SQLiteData] = [], on connection: SQLiteConnection) async throws {
        _ = try await rows(sql, binds, on: connection)
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT, rolling back on failure.
    func withTransaction<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            try await execute("BEGIN IMMEDIATE", on: connection)
            do {
                let result = try await body(connection)
                try await execute("COMMIT", on: connection)
                return result
            } catch {
                _ = try? await execute("ROLLBACK", on: connection)
                throw error
            }
        }
    }

    package func test() async throws -> ConnectionTestResult {
        try await pool.withConnection { connection in
            let clock = ContinuousClock()
            var version = ""
            let elapsed = try await clock.measure {
                version = try await rows("SELECT sqlite_version() AS v", on: connection).first?.column("v")?.string ?? ""
            }
            return ConnectionTestResult(
                serverVersion: "SQLite \(version)", latencyMilliseconds: elapsed / .milliseconds(1), encrypted: nil,
                capabilities: .init(canCreateTriggers: FileManager.default.isWritableFile(atPath: path))
            )
        }
    }

    package func createTable(_ table: TableSchema) async throws {
        try await withTransaction { connection in
            try await execute(SQLiteCatalog.createColumnsTable, on: connection)
            try await execute(dialect.createTableSQL(table), on: connection)
            for column in table.columns {
                try await execute(
                    "INSERT OR REPLACE INTO _berqenas_columns (table_name, column_name, canonical) VALUES (?, ?, ?)",
                    [.text(table.table.name), .text(column.name), .text(try SQLiteCatalog.encode(column.canonicalType))],
                    on: connection
                )
            }
        }
    }
}

/// Berqenas' own bookkeeping tables inside a SQLite file.
enum SQLiteCatalog {
    static let createColumnsTable = """
        CREATE TABLE IF NOT EXISTS _berqenas_columns (
            table_name TEXT NOT NULL, column_name TEXT NOT NULL, canonical TEXT NOT NULL,
            PRIMARY KEY (table_name, column_name))
        """

    static func encode(_ type: CanonicalType) throws -> String {
        String(decoding: try JSONEncoder().encode(type), as: UTF8.self)
    }

    static func decode(_ text: String) -> CanonicalType? {
        try? JSONDecoder().decode(CanonicalType.self, from: Data(text.utf8))
    }
}
