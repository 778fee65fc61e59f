import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import SQLiteNIO
import Testing

/// Trigger capture on SQLite, with writes made by another client on its own connection.
@Suite struct SQLiteCaptureTests {
    static let table = TableRef(schema: "main", name: "orders")

    /// A connector plus an independent SQLite client on the same file.
    func withCapturedTable(_ body: (SQLiteConnector, TableSchema, (String) async throws -> Void) async throws -> Void) async throws {
        let file = TemporaryDirectory.make().appendingPathComponent("site.sqlite").path
        let other = try await SQLiteConnection.open(storage: .file(path: file))
        let run: (String) async throws -> Void = { sql in _ = try await other.query(sql, []) }
        try await run("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, amount NUMERIC(12,2), photo BLOB, ratio REAL)")
        let connector = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: file))
        do {
            try await connector.installCapture(on: Self.table, mode: .triggers)
            try await connector.installCapture(on: Self.table, mode: .triggers)
            try await body(connector, try await connector.describeTable(Self.table), run)
        } catch {
            await connector.close()
            try await other.close()
            throw error
        }
        await connector.close()
        try await other.close()
    }

    @Test func everyKindOfChangeIsCapturedWithExactImages() async throws {
        try await withCapturedTable { connector, table, run in
            try await run("INSERT INTO orders VALUES (1, 'tea', '2.50', x'00ff', 0.1)")
            try await run("UPDATE orders SET item = 'green tea' WHERE id = 1")
            try await run("UPDATE orders SET id = 2 WHERE id = 1")
            try await run("DELETE FROM orders WHERE id = 2")
            let batch = try await connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 100)
            #expect(batch.changes.map(\.operation) == [.insert, .update, .update, .delete])
            guard batch.changes.count == 4 else { return }
            let inserted = batch.changes[0].newRow
            #expect(inserted?["photo"] == .binary([0, 255]))
            #expect(inserted?["ratio"] == .float(0.1))
            #expect(inserted?["item"] == .text("tea"))
            #expect(batch.changes[1].oldRow?["item"] == .text("tea"))
            #expect(batch.changes[2].oldRow?["id"] == .integer(1) && batch.changes[2].newRow?["id"] == .integer(2))
            #expect(batch.changes[3].oldRow?["id"] == .integer(2) && batch.changes[3].newRow == nil)

            #expect(try await connector.captureStatus(of: Self.table).pendingChanges == 4)
            try await connector.acknowledge(batch.cursor)
            #expect(try await connector.captureStatus(of: Self.table).pendingChanges == 0)
        }
    }

    @Test func changesAppliedWithAnOriginAreNotReadBackByThatPeer() async throws {
        try await withCapturedTable { connector, table, run in
            try await connector.apply([.upsert(Row([.integer(7), .text("from cloud"), .decimal("1.00"), .null, .null]))],
                                      to: table, origin: "cloud")
            try await run("INSERT INTO orders (id, item) VALUES (8, 'local')")
            let forCloud = try await connector.readChanges(of: [table], after: nil, excludingOrigin: "cloud", limit: 10)
            #expect(forCloud.changes.map { $0.newRow?["id"] } == [.integer(8)])
            let everything = try await connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(everything.changes.map(\.origin) == ["cloud", nil])
        }
    }

    @Test func anAddedColumnIsPickedUpAtTheNextRead() async throws {
        try await withCapturedTable { connector, table, run in
            try await run("ALTER TABLE orders ADD COLUMN note TEXT")
            // The next read (or install) rebuilds the triggers for the new column list.
            _ = try await connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            try await run("INSERT INTO orders (id, note) VALUES (1, 'new column')")
            let batch = try await connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(batch.changes.first?.newRow?["note"] == .text("new column"))
            #expect(batch.changes.first?.unknownColumns == ["note"])
        }
    }

    @Test func pagesFollowTheCursor() async throws {
        try await withCapturedTable { connector, table, run in
            for id in 1...5 { try await run("INSERT INTO orders (id) VALUES (\(id))") }
            var cursor: String?
            var seen: [CanonicalValue?] = []
            var more = true
            while more {
                let batch = try await connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: 2)
                seen += batch.changes.map { $0.newRow?["id"] }
                cursor = batch.cursor
                more = batch.hasMore
            }
            #expect(seen == (1...5).map { .integer($0) })
        }
    }
}
