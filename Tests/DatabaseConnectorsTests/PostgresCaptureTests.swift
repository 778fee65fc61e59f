import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import Testing

/// What only PostgreSQL's capture must guarantee (the shared capture suite is `CaptureConformanceTests`):
/// a reader never moves past a change whose transaction is still open.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresCaptureTests {
    static let table = TableRef(schema: "public", name: "orders")
    let logger = Logger(label: "tests")

    func withCapturedTable(_ body: (PostgresFixture, TableSchema) async throws -> Void) async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE orders (id int PRIMARY KEY, item text, amount numeric(12,2), at timestamptz)")
            try await fixture.connector.installCapture(on: Self.table, mode: .triggers)
            try await fixture.connector.installCapture(on: Self.table, mode: .triggers)  // idempotent
            try await body(fixture, try await fixture.connector.describeTable(Self.table))
        }
    }

    @Test func aChangeWhoseTransactionCommitsLaterIsStillDelivered() async throws {
        try await withCapturedTable { fixture, table in
            var delivered: [Int64: Int] = [:]
            var cursor: String?
            func drain() async throws {
                var more = true
                while more {
                    let batch = try await fixture.connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: 1)
                    for change in batch.changes {
                        if case let .integer(id)? = change.newRow?["id"] { delivered[id, default: 0] += 1 }
                    }
                    cursor = batch.cursor
                    more = batch.hasMore
                }
            }
            try await PostgresTestCluster.withConnection(fixture.url) { slow in
                try await PostgresTestCluster.withConnection(fixture.url) { fast in
                    // `fast` takes its transaction id first, `slow` takes the lower sequence value; `fast`
                    // commits first. Both orders of txid versus sequence are covered by rows 1-2 and 3-4.
                    try await fast.query("BEGIN", logger: logger)
                    try await fast.query("SELECT pg_current_xact_id()", logger: logger)
                    try await slow.query("BEGIN", logger: logger)
                    try await slow.query("INSERT INTO orders (id, item) VALUES (1, 'slow, lower seq')", logger: logger)
                    try await fast.query("INSERT INTO orders (id, item) VALUES (2, 'fast, higher seq')", logger: logger)
                    try await fast.query("COMMIT", logger: logger)
                    try await drain()

                    try await fast.query("BEGIN", logger: logger)
                    try await fast.query("INSERT INTO orders (id, item) VALUES (4, 'fast again')", logger: logger)
                    try await fast.query("COMMIT", logger: logger)
                    try await drain()
                    #expect(delivered[1] == nil, "an open transaction's change must not be read yet")

                    try await slow.query("INSERT INTO orders (id, item) VALUES (3, 'slow again')", logger: logger)
                    try await slow.query("COMMIT", logger: logger)
                }
            }
            try await drain()
            #expect(delivered == [1: 1, 2: 1, 3: 1, 4: 1])
        }
    }
}

/// A reader that has pruned many log rows vacuums the log itself (autovacuum comes once a minute).
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresCaptureLogVacuumTests {
    @Test func pruningTenThousandRowsVacuumsTheLog() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE orders (id int PRIMARY KEY, item text)")
            try await fixture.connector.installCapture(on: PostgresCaptureTests.table, mode: .triggers)
            let table = try await fixture.connector.describeTable(PostgresCaptureTests.table)
            let vacuums = "SELECT vacuum_count FROM pg_stat_user_tables WHERE relid = 'berqenas_sync.change_log'::regclass"
            func vacuumCount() async throws -> Int {
                try await PostgresTestCluster.withConnection(fixture.url) { connection in
                    var count = -1
                    for try await row in try await connection.query(PostgresQuery(unsafeSQL: vacuums), logger: Logger(label: "tests")) {
                        count = Int(try row.decode(Int64.self))
                    }
                    return count
                }
            }
            var cursor: String?
            func readAndAcknowledge() async throws {
                var more = true
                while more {
                    let batch = try await fixture.connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: 5_000)
                    cursor = batch.cursor
                    more = batch.hasMore
                }
                try await fixture.connector.acknowledge(cursor!, of: [PostgresCaptureTests.table])
            }
            try await fixture.run("INSERT INTO orders SELECT g, 'row' FROM generate_series(1, 9000) g")
            try await readAndAcknowledge()
            #expect(try await vacuumCount() == 0, "9,000 pruned rows are under the threshold")
            try await fixture.run("UPDATE orders SET item = 'changed' WHERE id <= 2000")
            try await readAndAcknowledge()
            #expect(try await vacuumCount() == 1)
        }
    }
}

/// The wake lock: writers notify exactly while a loop holds it, and taking it waits for writers that
/// stayed silent to commit (so the read after it sees their changes).
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresChangeSignalTests {
    let logger = Logger(label: "tests")

    /// Counts the signal's notifications until the signal closes.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    /// Waits (bounded) until the signal's LISTEN is in effect.
    static func untilListening(_ signal: PostgresChangeSignal) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !signal.isListening, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(signal.isListening)
    }

    /// Opens a change signal of `connector`, counts what it hears, and closes it (and ends its listener)
    /// however `body` ends.
    static func withSignal(
        of connector: PostgresConnector, lockTimeout: Duration,
        _ body: (PostgresChangeSignal, Counter) async throws -> Void
    ) async throws {
        let signal = try await connector.changeSignal(lockTimeout: lockTimeout)
        let heard = Counter()
        let listener = Task { try await signal.listen { heard.add() } }
        do {
            try await untilListening(signal)
            try await body(signal, heard)
        } catch {
            await signal.close()
            _ = await listener.result
            throw error
        }
        await signal.close()
        _ = await listener.result
    }

    @Test func writersNotifyOnlyWhileTheLockIsHeldAndArmingWaitsForSilentWriters() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE orders (id int PRIMARY KEY, item text)")
            try await fixture.connector.installCapture(on: PostgresCaptureTests.table, mode: .triggers)
            try await Self.withSignal(of: fixture.connector, lockTimeout: .milliseconds(100)) { signal, heard in
                // Nobody armed: writers stay silent.
                try await fixture.run("INSERT INTO orders VALUES (1, 'silent')")
                try await PostgresTestCluster.withConnection(fixture.url) { writer in
                    // A silent writer whose transaction is open holds the lock shared: arming times out.
                    try await writer.query("BEGIN", logger: logger)
                    try await writer.query("INSERT INTO orders VALUES (2, 'open')", logger: logger)
                    #expect(try await signal.arm() == false)
                    try await writer.query("COMMIT", logger: logger)
                }
                #expect(try await signal.arm() == true)
                #expect(try await signal.arm() == true, "arming twice is harmless")
                // Armed: a commit rings. Notifications arrive in commit order on one connection, so
                // once the armed insert's has come, an earlier silent one would have come before it.
                try await fixture.run("INSERT INTO orders VALUES (3, 'rings')")
                let deadline = ContinuousClock.now + .seconds(10)
                while heard.count == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(heard.count == 1)
                try await signal.disarm()
                try await fixture.run("INSERT INTO orders VALUES (4, 'silent again')")
                // A second signal arms and its insert's notification reaches both listeners; the first
                // must not have heard the disarmed insert before it.
                let second = try await fixture.connector.changeSignal()
                let secondListener = Task { try await second.listen {} }
                try await Self.untilListening(second)
                #expect(try await second.arm() == true)
                try await fixture.run("INSERT INTO orders VALUES (5, 'rings again')")
                let again = ContinuousClock.now + .seconds(10)
                while heard.count < 2, ContinuousClock.now < again { try await Task.sleep(for: .milliseconds(10)) }
                #expect(heard.count == 2, "the disarmed insert rang nobody; the armed one rang")
                await second.close()
                _ = await secondListener.result
            }
        }
    }
}

/// A tenant store's login cannot create schemas of its own choosing nor share a log: the capture schema
/// comes from the spec.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresCaptureSchemaTests {
    @Test func theLogLivesInTheSchemaTheSpecNames() async throws {
        try await PostgresFixture.with { fixture in
            var spec = try PostgresTestCluster.connectionSpec(fixture.url)
            spec.captureSchema = "store_sync"
            let connector = try PostgresConnector(spec: spec)
            do {
                try await fixture.run("CREATE TABLE items (id int PRIMARY KEY)")
                let ref = TableRef(schema: "public", name: "items")
                try await connector.installCapture(on: ref, mode: .triggers)
                try await fixture.run("INSERT INTO items VALUES (1)")
                #expect(try await connector.captureStatus(of: ref).pendingChanges == 1)
                #expect(try await connector.listTables(schema: nil) == [ref], "the capture schema is not listed")
                let batch = try await connector.readChanges(
                    of: [try await connector.describeTable(ref)], after: nil,
                    excludingOrigin: nil, limit: 10)
                #expect(batch.changes.count == 1)
                try await fixture.run("SELECT count(*) FROM store_sync.change_log")
                try await fixture.run(
                    "DO $$ BEGIN IF to_regclass('berqenas_sync.change_log') IS NOT NULL THEN RAISE 'default log made'; END IF; END $$")
            } catch {
                await connector.close()
                throw error
            }
            await connector.close()
        }
    }
}
