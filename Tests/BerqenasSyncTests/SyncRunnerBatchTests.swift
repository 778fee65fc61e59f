import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import SQLiteNIO
import Testing

/// The runner between two SQLite files with tiny batches, so every change set spans many reads (the
/// incremental path reads the next batch while it writes the current one).
struct SyncRunnerBatchTests {
    /// A journal in memory: cursors only (no undo, no conflicts parked).
    final class MemoryJournal: SyncJournal, @unchecked Sendable {
        private let lock = NSLock()
        private var cursors: [String: String] = [:]
        var keepsUndo: Bool { false }
        func cursor(of table: TableRef, side: SyncSide) async throws -> String? {
            lock.withLock { cursors["\(side) \(table)"] }
        }
        func saveCursor(_ cursor: String, of table: TableRef, side: SyncSide) async throws {
            lock.withLock { cursors["\(side) \(table)"] = cursor }
        }
        func checkpoint() async throws -> FullCopyCheckpoint? { nil }
        func saveCheckpoint(_ checkpoint: FullCopyCheckpoint?) async throws {}
        func recordUndo(_ entries: [UndoEntry]) async throws {}
        func parkedKeys(of table: SyncTablePair) async throws -> Set<RowKey> { [] }
        func recordConflicts(_ conflicts: [PlannedConflict], of table: SyncTablePair) async throws {}
        func report(progress: SyncProgress, results: [SyncTableResult]) async throws {}
        func checkCancelled() async throws {}
    }

    @Test func incrementalChangesSpanningManyBatchesArriveWhole() async throws {
        let directory = TemporaryDirectory.make()
        let localFile = directory.appendingPathComponent("local.sqlite").path
        let writer = try await SQLiteConnection.open(storage: .file(path: localFile))
        let local = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: localFile))
        let cloud = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: directory.appendingPathComponent("cloud.sqlite").path))
        func run(_ sql: String) async throws { _ = try await writer.query(sql, []) }
        do {
            try await run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER, note TEXT)")
            for id in 1...30 { try await run("INSERT INTO items VALUES (\(id), \(id), 'first')") }
            let pair = SyncTablePair(local: TableRef(schema: "main", name: "items"), cloud: TableRef(schema: "main", name: "items"))
            var runner = SyncRunner(local: local, cloud: cloud, origin: "test", journal: MemoryJournal())
            runner.changeBatch = 7
            runner.pageSize = 4
            _ = try await runner.run(.full, pairs: [pair], strategy: .latestWins, dryRun: false)

            for id in 31...60 { try await run("INSERT INTO items VALUES (\(id), \(id), 'added')") }
            try await run("UPDATE items SET v = v * 10, note = 'updated' WHERE id % 3 = 0")
            try await run("DELETE FROM items WHERE id % 5 = 0")
            try await run("UPDATE items SET id = 100 WHERE id = 1")
            let results = try await runner.run(.incremental, pairs: [pair], strategy: .latestWins, dryRun: false)

            let table = try await local.describeTable(pair.local)
            let localRows = try await allRows(local, table)
            #expect(localRows.count == 48)
            #expect(try await allRows(cloud, try await cloud.describeTable(pair.cloud)) == localRows)
            // Netting works within a batch; in commit order no batch of 7 holds two changes of one row, so
            // all 63 captured changes travel (30 inserts, 20 updates, 12 deletes, and the key update as a
            // delete plus an insert).
            #expect(results.first?.localToCloud == 30 + 20 + 12 + 2, "\(results)")
            let again = try await runner.run(.incremental, pairs: [pair], strategy: .latestWins, dryRun: false)
            #expect(again.first?.localToCloud == 0)
        } catch {
            try? await writer.close()
            await local.close()
            await cloud.close()
            throw error
        }
        try await writer.close()
        await local.close()
        await cloud.close()
    }

    /// A SQLite site in the compare capture mode: synced one way with nothing created in its file, across
    /// many small ranges (the hub digests SQLite's rows itself).
    @Test func aSQLiteSiteInCompareModeSyncsWithNothingInstalled() async throws {
        let directory = TemporaryDirectory.make()
        let localFile = directory.appendingPathComponent("local.sqlite").path
        let writer = try await SQLiteConnection.open(storage: .file(path: localFile))
        let local = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: localFile))
        let cloud = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: directory.appendingPathComponent("cloud.sqlite").path))
        func run(_ sql: String) async throws { _ = try await writer.query(sql, []) }
        func objects() async throws -> [String] {
            try await writer.query("SELECT type || ' ' || name AS n FROM sqlite_master ORDER BY 1", []).compactMap { $0.column("n")?.string }
        }
        do {
            try await run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER, note TEXT)")
            try await run("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) INSERT INTO items SELECT i, i, 'first' FROM g")
            let before = try await objects()
            let pair = SyncTablePair(local: TableRef(schema: "main", name: "items"), cloud: TableRef(schema: "main", name: "items"))
            var runner = SyncRunner(local: local, cloud: cloud, origin: "test", journal: MemoryJournal())
            runner.localCaptureMode = .compare
            _ = try await runner.run(.full, pairs: [pair], strategy: .latestWins, dryRun: false)
            try await run("UPDATE items SET note = NULL WHERE id = 7")
            try await run("UPDATE items SET note = '' WHERE id = 1500")
            try await run("DELETE FROM items WHERE id = 2999")
            try await run("INSERT INTO items VALUES (5000, 5, 'added')")
            let results = try await runner.run(.incremental, pairs: [pair], strategy: .latestWins, dryRun: false)
            #expect(results.first?.localToCloud == 4, "\(results)")
            let table = try await local.describeTable(pair.local)
            #expect(try await allRows(cloud, try await cloud.describeTable(pair.cloud)) == allRows(local, table))
            #expect(try await objects() == before, "the site's file gains nothing")
            // Two ways: a row edited in the cloud reaches the site, which still gains nothing.
            let edited = try await cloud.describeTable(pair.cloud)
            try await cloud.apply([.upsert(Row([.integer(8), .integer(-8), .text("cloud")]))], to: edited, origin: nil)
            let twoWay = try await runner.run(.bidirectional, pairs: [pair], strategy: .latestWins, dryRun: false)
            #expect(twoWay.first?.cloudToLocal == 1 && twoWay.first?.localToCloud == 0, "\(twoWay)")
            #expect(try await allRows(cloud, edited) == allRows(local, table))
            #expect(try await objects() == before, "the site's file gains nothing")
        } catch {
            try? await writer.close()
            await local.close()
            await cloud.close()
            throw error
        }
        try await writer.close()
        await local.close()
        await cloud.close()
    }

    func allRows(_ connector: any DatabaseConnector, _ table: TableSchema) async throws -> [Row] {
        var rows: [Row] = []
        var after: [CanonicalValue]?
        repeat {
            let page = try await connector.readSnapshot(table, after: after, limit: 1_000)
            rows += page.rows
            after = page.nextKey
        } while after != nil
        return rows
    }
}
