import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import Testing

/// The wait/notify protocol of continuous sync, at each instant a change can commit relative to the loop:
/// after its last read but before it arms, while arming waits for a writer, and after arming. Each
/// interleaving is forced (the test holds the writer's transaction open and sees the arm waiting in
/// `pg_locks`), and each change must be either read by the read that follows arming or ring the listener.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresWakeInterleavingTests {
    let logger = Logger(label: "tests")

    @Test func aChangeCommittedAtAnyInstantIsReadAfterArmingOrRings() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE orders (id int PRIMARY KEY, item text)")
            let ref = TableRef(schema: "public", name: "orders")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            let table = try await fixture.connector.describeTable(ref)
            var cursor: String?
            func read() async throws -> [Int64] {
                let batch = try await fixture.connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: 100)
                cursor = batch.cursor
                return batch.changes.compactMap { if case let .integer(id)? = $0.newRow?["id"] { id } else { nil } }
            }
            /// Sessions of this database waiting for an advisory lock (the arm, once it is blocked).
            func waitingForAdvisoryLocks() async throws -> Int {
                try await PostgresTestCluster.withConnection(fixture.url) { connection in
                    let rows = try await connection.query(
                        """
                        SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        """, logger: logger)
                    for try await count in rows.decode(Int.self) { return count }
                    return 0
                }
            }
            // A lock timeout far above the time this test holds a writer open: arming waits, it does not give up.
            try await PostgresChangeSignalTests.withSignal(of: fixture.connector, lockTimeout: .seconds(30)) { signal, heard in
                #expect(try await read().isEmpty)

                // 1. Committed after the loop's read, before it arms: nobody rings; the read after arming has it.
                try await fixture.run("INSERT INTO orders VALUES (1, 'before arming')")
                #expect(try await signal.arm())
                #expect(try await read() == [1])
                try await signal.disarm()

                // 2. Committed while arming waits: a writer's open transaction holds the wake lock shared.
                #expect(try await read().isEmpty)
                try await PostgresTestCluster.withConnection(fixture.url) { writer in
                    try await writer.query("BEGIN", logger: logger)
                    try await writer.query("INSERT INTO orders VALUES (2, 'while arming')", logger: logger)
                    let arming = Task { try await signal.arm() }
                    try await eventually("arming waits for the writer", timeout: .seconds(10)) {
                        try await waitingForAdvisoryLocks() == 1
                    }
                    try await writer.query("COMMIT", logger: logger)
                    #expect(try await arming.value, "the writer committed: the lock is had")
                }
                #expect(try await read() == [2], "the writer stayed silent, so the read after arming must have its change")

                // 3. Committed after arming: it rings, before any read.
                #expect(heard.count == 0, "nothing rang so far: writers were silent until armed")
                try await fixture.run("INSERT INTO orders VALUES (3, 'after arming')")
                try await eventually("the commit rings", timeout: .seconds(10)) { heard.count == 1 }
                #expect(try await read() == [3])
            }
        }
    }
}
