import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// The compare capture mode with a watermark column, on a SQLite site: runs read only the rows whose column
/// reached the last mark (and find added and removed rows by their keys), and the site gains nothing.
struct WatermarkCompareTests {
    @Test func onlyRowsThatRaisedTheWatermarkAndAddedOrRemovedRowsAreCarried() async throws {
        try await SQLiteSyncPair.with { files in
            try await files.run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER, version INTEGER NOT NULL)")
            try await files.run(
                "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) INSERT INTO items SELECT i, i, i FROM g")
            let before = try await files.objects()
            let pairs = [files.pair]
            var runner = SyncRunner(local: files.local, cloud: files.cloud, origin: "test", journal: SyncRunnerBatchTests.MemoryJournal())
            runner.localCaptureMode = .compare
            runner.localWatermark = "version"
            _ = try await runner.run(.full, pairs: pairs, strategy: .localWins, dryRun: false)
            // The first run has no mark yet: it compares everything, and leaves one.
            #expect(try await runner.run(.incremental, pairs: pairs, strategy: .localWins, dryRun: false).first?.localToCloud == 0)

            // The mark is 3000: the next run reads rows 3000 and up (the mark itself included).
            try await files.run("UPDATE items SET v = -1, version = 3001 WHERE id = 10")
            try await files.run("UPDATE items SET v = -2 WHERE id = 2000")  // the application forgot the watermark
            let narrowed = try await runner.run(.incremental, pairs: pairs, strategy: .localWins, dryRun: false)
            #expect(narrowed.first?.localToCloud == 1, "only the row that raised the watermark: \(narrowed)")

            try await files.run("INSERT INTO items VALUES (5000, 5, 1)")
            try await files.run("DELETE FROM items WHERE id = 2500")
            let keyed = try await runner.run(.incremental, pairs: pairs, strategy: .localWins, dryRun: false)
            #expect(keyed.first?.localToCloud == 2, "the added and the removed row, found by their keys: \(keyed)")

            // A row edited in the cloud is read from the cloud's log whatever the watermark says: a conflict
            // (the site's row wins under local_wins, the cloud's is on record), not an edit passed over.
            let edited = try await files.cloud.describeTable(files.pair.cloud)
            try await files.cloud.apply([.upsert(Row([.integer(1500), .integer(-15), .integer(1500)]))], to: edited, origin: nil)
            let cloudEdit = try await runner.run(.incremental, pairs: pairs, strategy: .localWins, dryRun: false)
            #expect(cloudEdit.first?.conflictsDetected == 1 && cloudEdit.first?.localToCloud == 1, "\(cloudEdit)")

            // What the watermark cannot see, a verify does.
            let verified = try await runner.run(.verify, pairs: pairs, strategy: .localWins, dryRun: false)
            #expect(verified.first?.verification?.differences.map(\.key) == [[.integer(2000)]], "\(verified)")
            #expect(try await files.objects() == before, "the site's file gains nothing")
        }
    }
}
