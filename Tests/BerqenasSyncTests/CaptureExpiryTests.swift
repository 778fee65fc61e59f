import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// A site whose change tracking was cleaned up past the job's cursor (SQL Server's `min_valid_version`
/// moving on, which cannot happen here without a SQL Server): the runner compares the table instead of
/// assuming nothing changed, and reads the log again from then on.
struct CaptureExpiryTests {
    @Test(arguments: [SyncMode.incremental, .bidirectional])
    func anExpiredCursorMakesTheRunCompareTheTable(_ mode: SyncMode) async throws {
        try await SQLiteSyncPair.with { files in
            let local = ExpiringLog(files.local)
            let journal = SyncRunnerBatchTests.MemoryJournal()
            let pairs = [files.pair]
            try await files.run("CREATE TABLE items (id INTEGER PRIMARY KEY, v INTEGER)")
            for id in 1...20 { try await files.run("INSERT INTO items VALUES (\(id), \(id))") }
            let runner = SyncRunner(local: local, cloud: files.cloud, origin: "test", journal: journal)
            _ = try await runner.run(.full, pairs: pairs, strategy: .localWins, dryRun: false)

            // Changes the site's tracking then "forgot": the cursor saved by the full copy no longer reads.
            try await files.run("UPDATE items SET v = 100 WHERE id = 3")
            try await files.run("DELETE FROM items WHERE id = 4")
            try await files.run("INSERT INTO items VALUES (21, 21)")
            let stale = try #require(try await journal.cursor(of: files.pair.local, side: .local))
            local.expire(stale)
            let compared = try await runner.run(mode, pairs: pairs, strategy: .localWins, dryRun: false)
            #expect(compared.first?.errors.first?.hasPrefix("capture_expired") == true, "\(compared)")
            #expect(compared.first?.localToCloud == 3, "the three changed rows, found by comparison: \(compared)")
            #expect(try await files.sidesEqual())

            // The next run reads the log again, from where it stood when the comparison began.
            let resumed = try #require(try await journal.cursor(of: files.pair.local, side: .local))
            #expect(resumed != stale && !resumed.hasPrefix("compared:"))
            try await files.run("UPDATE items SET v = 500 WHERE id = 5")
            let logged = try await runner.run(mode, pairs: pairs, strategy: .localWins, dryRun: false)
            #expect(logged.first?.errors.isEmpty == true && logged.first?.localToCloud == 1, "\(logged)")
            #expect(try await files.sidesEqual())
        }
    }
}

/// A site connector whose change log refuses cursors marked expired, as SQL Server's change tracking does
/// once its cleanup passed them; everything else is the real SQLite connector.
final class ExpiringLog: DatabaseConnector, @unchecked Sendable {
    let site: SQLiteConnector
    private let lock = NSLock()
    private var expired: Set<String> = []

    init(_ site: SQLiteConnector) { self.site = site }

    func expire(_ cursor: String) { lock.withLock { _ = expired.insert(cursor) } }

    func readChanges(of tables: [TableSchema], after cursor: String?, excludingOrigin: String?, limit: Int) async throws -> ChangeBatch {
        if let cursor, lock.withLock({ expired.contains(cursor) }) {
            throw ConnectorError(.captureExpired, "the log no longer holds cursor \(cursor)")
        }
        return try await site.readChanges(of: tables, after: cursor, excludingOrigin: excludingOrigin, limit: limit)
    }

    var engine: DatabaseEngine { site.engine }
    func test() async throws -> ConnectionTestResult { try await site.test() }
    func listTables(schema: String?) async throws -> [TableRef] { try await site.listTables(schema: schema) }
    func describeTable(_ table: TableRef) async throws -> TableSchema { try await site.describeTable(table) }
    func readRange(_ table: TableSchema, after: [CanonicalValue]?, upTo: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage {
        try await site.readRange(table, after: after, upTo: upTo, limit: limit)
    }
    func digestRange(_ table: TableSchema, columns: [String], after: [CanonicalValue]?, upTo: [CanonicalValue]?) async throws -> RangeDigest {
        try await site.digestRange(table, columns: columns, after: after, upTo: upTo)
    }
    func splitRange(_ table: TableSchema, after: [CanonicalValue]?, upTo: [CanonicalValue]?, every: Int) async throws -> [[CanonicalValue]] {
        try await site.splitRange(table, after: after, upTo: upTo, every: every)
    }
    func fetchRows(_ table: TableSchema, keys: [[CanonicalValue]]) async throws -> [Row] { try await site.fetchRows(table, keys: keys) }
    func keys(of table: TableSchema, where column: String, atLeast value: CanonicalValue) async throws -> [[CanonicalValue]] {
        try await site.keys(of: table, where: column, atLeast: value)
    }
    func largest(_ column: String, of table: TableSchema) async throws -> CanonicalValue? { try await site.largest(column, of: table) }
    func select(_ sql: String, binds: [String?], columns: [ColumnSchema]) async throws -> [Row] {
        try await site.select(sql, binds: binds, columns: columns)
    }
    func write(_ statements: [BoundStatement], returning columns: [ColumnSchema], verify: @Sendable ([Row]) throws -> Void) async throws -> [Row] {
        try await site.write(statements, returning: columns, verify: verify)
    }
    func apply(_ changes: [RowChange], to table: TableSchema, origin: String?) async throws {
        try await site.apply(changes, to: table, origin: origin)
    }
    func bulkLoad(_ rows: [Row], into table: TableSchema, origin: String?) async throws { try await site.bulkLoad(rows, into: table, origin: origin) }
    func createTable(_ table: TableSchema) async throws { try await site.createTable(table) }
    func installCapture(on table: TableRef, mode: CaptureMode) async throws { try await site.installCapture(on: table, mode: mode) }
    func uninstallCapture(on table: TableRef) async throws { try await site.uninstallCapture(on: table) }
    func captureStatus(of table: TableRef, excludingOrigin: String?) async throws -> CaptureStatus {
        try await site.captureStatus(of: table, excludingOrigin: excludingOrigin)
    }
    func acknowledge(_ cursor: String, of tables: [TableRef]) async throws { try await site.acknowledge(cursor, of: tables) }
    func discardChanges(madeBy origin: String, of tables: [TableRef]) async throws {
        try await site.discardChanges(madeBy: origin, of: tables)
    }
    func close() async { await site.close() }
}
