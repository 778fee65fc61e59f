import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import Testing

/// Trigger capture on PostgreSQL: every kind of change, concurrency, origin marking, schema change, pruning.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresCaptureTests {
    static let table = TableRef(schema: "public", name: "orders")
    let logger = Logger(label: "tests")

    func withCapturedTable(_ body: (PostgresFixture, TableSchema) async throws -> Void) async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE orders (id int PRIMARY KEY, item text, amount numeric(12,2), at timestamptz)")
            try await fixture.connector.installCapture(on: Self.table, mode: .triggers)
            try await fixture.connector.installCapture(on: Self.table, mode: .triggers) // idempotent
            try await body(fixture, try await fixture.connector.describeTable(Self.table))
        }
    }

    @Test func insertsUpdatesDeletesAndKeyUpdatesAreCapturedWithImages() async throws {
        try await withCapturedTable { fixture, table in
            try await fixture.run(
                "INSERT INTO orders VALUES (1, 'tea', 2.50, '2024-01-02 03:04:05.678901+02')",
                "UPDATE orders SET amount = 3.75 WHERE id = 1",
                "UPDATE orders SET id = 2 WHERE id = 1",
                "DELETE FROM orders WHERE id = 2"
            )
            let batch = try await fixture.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 100)
            #expect(batch.changes.map(\.operation) == [.insert, .update, .update, .delete])
            guard batch.changes.count == 4 else { return }
            let insert = batch.changes[0]
            #expect(insert.newRow?["amount"] == .decimal("2.50"))
            #expect(insert.newRow?["at"] == .timestampWithZone("2024-01-02 01:04:05.678901+00:00"))
            #expect(insert.oldRow == nil)
            #expect(batch.changes[1].oldRow?["amount"] == .decimal("2.50"))
            #expect(batch.changes[1].newRow?["amount"] == .decimal("3.75"))
            #expect(batch.changes[2].oldRow?["id"] == .integer(1))
            #expect(batch.changes[2].newRow?["id"] == .integer(2))
            #expect(batch.changes[3].oldRow?["id"] == .integer(2))
            #expect(batch.changes[3].newRow == nil)
            let status = try await fixture.connector.captureStatus(of: Self.table)
            #expect(status.installed && status.pendingChanges == 4)

            let next = try await fixture.connector.readChanges(of: [table], after: batch.cursor, excludingOrigin: nil, limit: 100)
            #expect(next.changes.isEmpty)
            try await fixture.connector.acknowledge(next.cursor)
            #expect(try await fixture.connector.captureStatus(of: Self.table).pendingChanges == 0)
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

    @Test func changesAppliedWithAnOriginAreNotReadBackByThatPeer() async throws {
        try await withCapturedTable { fixture, table in
            try await fixture.connector.apply([.upsert(Row([.integer(7), .text("from cloud"), .decimal("1.00"), .null]))],
                                              to: table, origin: "cloud")
            try await fixture.run("INSERT INTO orders (id, item) VALUES (8, 'local')")
            let forCloud = try await fixture.connector.readChanges(of: [table], after: nil, excludingOrigin: "cloud", limit: 10)
            #expect(forCloud.changes.map { $0.newRow?["id"] } == [.integer(8)])
            let everything = try await fixture.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(everything.changes.map(\.origin) == ["cloud", nil])
        }
    }

    @Test func anAddedColumnIsPickedUpAndReported() async throws {
        try await withCapturedTable { fixture, table in
            try await fixture.run("ALTER TABLE orders ADD COLUMN note text", "INSERT INTO orders (id, note) VALUES (1, 'new column')")
            let batch = try await fixture.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(batch.changes.first?.newRow?["note"] == .text("new column"))
            #expect(batch.changes.first?.unknownColumns == ["note"])
            let current = try await fixture.connector.describeTable(Self.table)
            let again = try await fixture.connector.readChanges(of: [current], after: nil, excludingOrigin: nil, limit: 10)
            #expect(again.changes.first?.unknownColumns == [])
        }
    }

    @Test func uninstallingStopsCapture() async throws {
        try await withCapturedTable { fixture, table in
            try await fixture.connector.uninstallCapture(on: Self.table)
            try await fixture.run("INSERT INTO orders (id) VALUES (1)")
            #expect(try await fixture.connector.captureStatus(of: Self.table).installed == false)
            let batch = try await fixture.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(batch.changes.isEmpty)
        }
    }
}
