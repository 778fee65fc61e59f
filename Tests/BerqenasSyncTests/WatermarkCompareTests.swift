import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import SQLiteNIO
import Testing

/// The compare capture mode with a watermark column, on a SQLite site: runs read only the rows whose column
/// reached the last mark (and find added and removed rows by their keys), and the site gains nothing.
struct WatermarkCompareTests {
    @Test func onlyRowsThatRaisedTheWatermarkAndAddedOrRemovedRowsAreCarried() async throws {
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
            try await run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER, version INTEGER NOT NULL)")
            try await run("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 3000) INSERT INTO items SELECT i, i, i FROM g")
            let before = try await objects()
            let pair = SyncTablePair(local: TableRef(schema: "main", name: "items"), cloud: TableRef(schema: "main", name: "items"))
            var runner = SyncRunner(local: local, cloud: cloud, origin: "test", journal: SyncRunnerBatchTests.MemoryJournal())
            runner.localCaptureMode = .compare
            runner.localWatermark = "version"
            _ = try await runner.run(.full, pairs: [pair], strategy: .localWins, dryRun: false)
            // The first run has no mark yet: it compares everything, and leaves one.
            #expect(try await runner.run(.incremental, pairs: [pair], strategy: .localWins, dryRun: false).first?.localToCloud == 0)

            // The mark is 3000: the next run reads rows 3000 and up (the mark itself included).
            try await run("UPDATE items SET v = -1, version = 3001 WHERE id = 10")
            try await run("UPDATE items SET v = -2 WHERE id = 2000")  // the application forgot the watermark
            let narrowed = try await runner.run(.incremental, pairs: [pair], strategy: .localWins, dryRun: false)
            #expect(narrowed.first?.localToCloud == 1, "only the row that raised the watermark: \(narrowed)")

            try await run("INSERT INTO items VALUES (5000, 5, 1)")
            try await run("DELETE FROM items WHERE id = 2500")
            let keyed = try await runner.run(.incremental, pairs: [pair], strategy: .localWins, dryRun: false)
            #expect(keyed.first?.localToCloud == 2, "the added and the removed row, found by their keys: \(keyed)")

            // What the watermark cannot see, a verify does.
            let verified = try await runner.run(.verify, pairs: [pair], strategy: .localWins, dryRun: false)
            #expect(verified.first?.verification?.differences.map(\.key) == [[.integer(2000)]], "\(verified)")
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
}
