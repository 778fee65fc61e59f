import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
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
        try await SQLiteSyncPair.with { files in
            try await files.run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER, note TEXT)")
            for id in 1...30 { try await files.run("INSERT INTO items VALUES (\(id), \(id), 'first')") }
            var runner = SyncRunner(local: files.local, cloud: files.cloud, origin: "test", journal: MemoryJournal())
            runner.changeBatch = 7
            runner.pageSize = 4
            _ = try await runner.run(.full, pairs: [files.pair], strategy: .latestWins, dryRun: false)

            for id in 31...60 { try await files.run("INSERT INTO items VALUES (\(id), \(id), 'added')") }
            try await files.run("UPDATE items SET v = v * 10, note = 'updated' WHERE id % 3 = 0")
            try await files.run("DELETE FROM items WHERE id % 5 = 0")
            try await files.run("UPDATE items SET id = 100 WHERE id = 1")
            let results = try await runner.run(.incremental, pairs: [files.pair], strategy: .latestWins, dryRun: false)

            #expect(try await SQLiteSyncPair.allRows(files.local, files.pair.local).count == 48)
            #expect(try await files.sidesEqual())
            // Netting works within a batch; in commit order no batch of 7 holds two changes of one row, so
            // all 63 captured changes travel (30 inserts, 20 updates, 12 deletes, and the key update as a
            // delete plus an insert).
            #expect(results.first?.localToCloud == 30 + 20 + 12 + 2, "\(results)")
            let again = try await runner.run(.incremental, pairs: [files.pair], strategy: .latestWins, dryRun: false)
            #expect(again.first?.localToCloud == 0)
        }
    }

    /// A SQLite site in the compare capture mode: synced one way with nothing created in its file, across
    /// many small ranges (the hub digests SQLite's rows itself).
    @Test func aSQLiteSiteInCompareModeSyncsWithNothingInstalled() async throws {
        try await SQLiteSyncPair.with { files in
            try await files.run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER, note TEXT)")
            try await files.run(
                "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) INSERT INTO items SELECT i, i, 'first' FROM g")
            let before = try await files.objects()
            var runner = SyncRunner(local: files.local, cloud: files.cloud, origin: "test", journal: MemoryJournal())
            runner.localCaptureMode = .compare
            _ = try await runner.run(.full, pairs: [files.pair], strategy: .latestWins, dryRun: false)
            try await files.run("UPDATE items SET note = NULL WHERE id = 7")
            try await files.run("UPDATE items SET note = '' WHERE id = 1500")
            try await files.run("DELETE FROM items WHERE id = 2999")
            try await files.run("INSERT INTO items VALUES (5000, 5, 'added')")
            let results = try await runner.run(.incremental, pairs: [files.pair], strategy: .latestWins, dryRun: false)
            #expect(results.first?.localToCloud == 4, "\(results)")
            #expect(try await files.sidesEqual())
            #expect(try await files.objects() == before, "the site's file gains nothing")
            // Two ways: a row edited in the cloud reaches the site, which still gains nothing.
            let edited = try await files.cloud.describeTable(files.pair.cloud)
            try await files.cloud.apply([.upsert(Row([.integer(8), .integer(-8), .text("cloud")]))], to: edited, origin: nil)
            let twoWay = try await runner.run(.bidirectional, pairs: [files.pair], strategy: .latestWins, dryRun: false)
            #expect(twoWay.first?.cloudToLocal == 1 && twoWay.first?.localToCloud == 0, "\(twoWay)")
            #expect(try await files.sidesEqual())
            #expect(try await files.objects() == before, "the site's file gains nothing")
        }
    }
}
