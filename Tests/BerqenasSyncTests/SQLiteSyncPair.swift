import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import SQLiteNIO

/// A SQLite site file and a SQLite cloud file, with a connection of its own on the site for writing as an
/// application would, and the table pair `items` <-> `items`.
struct SQLiteSyncPair {
    let local: SQLiteConnector
    let cloud: SQLiteConnector
    let writer: SQLiteConnection
    let pair = SyncTablePair(local: TableRef(schema: "main", name: "items"), cloud: TableRef(schema: "main", name: "items"))

    /// Runs `body` over two new files, closing everything after.
    static func with(_ body: (SQLiteSyncPair) async throws -> Void) async throws {
        let directory = TemporaryDirectory.make()
        let localFile = directory.appendingPathComponent("local.sqlite").path
        let files = SQLiteSyncPair(
            local: SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: localFile)),
            cloud: SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: directory.appendingPathComponent("cloud.sqlite").path)),
            writer: try await SQLiteConnection.open(storage: .file(path: localFile)))
        do {
            try await body(files)
        } catch {
            await files.close()
            throw error
        }
        await files.close()
    }

    /// Runs a statement on the site, as an application would.
    func run(_ sql: String) async throws { _ = try await writer.query(sql, []) }

    /// The site file's objects (what sync must not add to in the compare mode).
    func objects() async throws -> [String] {
        try await writer.query("SELECT type || ' ' || name AS n FROM sqlite_master ORDER BY 1", []).compactMap { $0.column("n")?.string }
    }

    /// Every row of a table, in key order.
    static func allRows(_ connector: any DatabaseConnector, _ ref: TableRef) async throws -> [Row] {
        let table = try await connector.describeTable(ref)
        var rows: [Row] = []
        var after: [CanonicalValue]?
        repeat {
            let page = try await connector.readSnapshot(table, after: after, limit: 1_000)
            rows += page.rows
            after = page.nextKey
        } while after != nil
        return rows
    }

    /// Whether both sides hold the same rows.
    func sidesEqual(site: (any DatabaseConnector)? = nil) async throws -> Bool {
        try await Self.allRows(site ?? local, pair.local) == Self.allRows(cloud, pair.cloud)
    }

    private func close() async {
        try? await writer.close()
        await local.close()
        await cloud.close()
    }
}
