import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// The connector suite every engine must pass: values round-trip through `apply` and keyset reads, and
/// trigger capture sees every kind of change an application makes, with exact row images. Runs on
/// PostgreSQL and SQLite here, and on SQL Server when `BERQENAS_TEST_MSSQL_URL` is set.
@Suite struct CaptureConformanceTests {
    static let createOrders = "(id int PRIMARY KEY, item varchar(100), amount numeric(12,2))"

    /// A captured `orders` table (capture installed twice: installing is idempotent).
    func withCapturedOrders(_ engine: EngineUnderTest, _ body: (EngineSite, TableSchema) async throws -> Void) async throws {
        try await engine.withSite { site in
            try await site.write("CREATE TABLE \(site.qualified) \(Self.createOrders)")
            try await site.connector.installCapture(on: site.table, mode: .triggers)
            try await site.connector.installCapture(on: site.table, mode: .triggers)
            try await body(site, try await site.connector.describeTable(site.table))
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func valuesRoundTripThroughApplyKeysetReadsAndKeyLookups(_ engine: EngineUnderTest) async throws {
        try await engine.withSite { site in
            try await site.connector.createTable(
                TableSchema(
                    table: site.table,
                    columns: [
                        .init(name: "id", nativeType: "", canonicalType: .integer(bits: 32), nullable: false),
                        .init(name: "amount", nativeType: "", canonicalType: .decimal(precision: 38, scale: 10)),
                        .init(name: "note", nativeType: "", canonicalType: .text(length: nil, fixed: false, collation: nil)),
                        .init(name: "blob", nativeType: "", canonicalType: .binary(length: nil, fixed: false)),
                        .init(name: "at", nativeType: "", canonicalType: .timestamp(precision: 6, withZone: true)),
                        .init(name: "token", nativeType: "", canonicalType: .uuid),
                    ],
                    primaryKey: ["id"]
                ))
            let table = try await site.connector.describeTable(site.table)
            let rows = [
                Row([
                    .integer(1), .decimal("9999999999999999999999999999.9999999999"), .text("emoji 🦄, 'quotes'"),
                    .binary([0, 255, 0]), .timestampWithZone("2024-06-30 07:04:56.123456+00:00"),
                    .uuid(UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")!),
                ]),
                Row([.integer(2), .decimal("-0.0000000001"), .text(""), .binary([]), .null, .null]),
                Row([.integer(3), .null, .null, .null, .null, .null]),
            ]
            try await site.connector.apply(rows.reversed().map(RowChange.upsert), to: table, origin: nil)
            #expect(try await readAll(site.connector, table, pageSize: 2) == rows)
            let fetched = try await site.connector.fetchRows(table, keys: [[.integer(3)], [.integer(99)], [.integer(1)]])
            #expect(fetched == [rows[0], rows[2]], "present keys only, in key order")

            try await site.connector.apply(
                [
                    .delete(key: [.integer(2)]),
                    .upsert(
                        Row([
                            .integer(3), .decimal("1.5000000000"),
                            .text("x"), .null, .null, .null,
                        ])),
                ],
                to: table, origin: nil)
            let after = try await readAll(site.connector, table)
            #expect(after.map { $0.values[0] } == [.integer(1), .integer(3)])
            #expect(after.last?.values[1] == .decimal("1.5000000000"))
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func everyKindOfChangeIsCapturedWithExactImages(_ engine: EngineUnderTest) async throws {
        try await withCapturedOrders(engine) { site, table in
            // Amounts whose text is the same in every engine (SQLite's NUMERIC affinity keeps 2.50 as 2.5).
            try await site.write(
                "INSERT INTO \(site.qualified) VALUES (1, 'tea', 2.25)",
                "UPDATE \(site.qualified) SET amount = 3.75 WHERE id = 1",
                "UPDATE \(site.qualified) SET id = 2 WHERE id = 1",
                "DELETE FROM \(site.qualified) WHERE id = 2"
            )
            let batch = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 100)
            // The statement moving the row to another key: one update from key 1 to key 2, or, on PostgreSQL,
            // which pairs a statement's old and new rows by key, key 1 deleted and key 2 inserted.
            let moved: [ChangeOperation] = engine == .postgresql ? [.delete, .insert] : [.update]
            #expect(batch.changes.map(\.operation) == [.insert, .update] + moved + [.delete])
            guard batch.changes.count == 3 + moved.count else { return }
            #expect(batch.changes[0].newRow?["item"] == .text("tea"))
            #expect(batch.changes[0].newRow?["amount"] == .decimal("2.25"))
            #expect(batch.changes[0].oldRow == nil)
            #expect(batch.changes[1].oldRow?["amount"] == .decimal("2.25"))
            #expect(batch.changes[1].newRow?["amount"] == .decimal("3.75"))
            #expect(batch.changes[2].oldRow?["id"] == .integer(1))
            #expect(batch.changes[1 + moved.count].newRow?["id"] == .integer(2))
            #expect(batch.changes[1 + moved.count].newRow?["amount"] == .decimal("3.75"))
            #expect(batch.changes.last?.oldRow?["id"] == .integer(2))
            #expect(batch.changes.last?.newRow == nil)
            #expect(try await site.connector.captureStatus(of: site.table).pendingChanges == 3 + moved.count)

            let next = try await site.connector.readChanges(of: [table], after: batch.cursor, excludingOrigin: nil, limit: 100)
            #expect(next.changes.isEmpty)
            try await site.connector.acknowledge(next.cursor, of: [site.table])
            #expect(try await site.connector.captureStatus(of: site.table).pendingChanges == 0)
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func changesAppliedWithAnOriginAreNotReadBackByThatPeer(_ engine: EngineUnderTest) async throws {
        try await withCapturedOrders(engine) { site, table in
            try await site.connector.apply(
                [.upsert(Row([.integer(7), .text("from cloud"), .decimal("1.00")]))],
                to: table, origin: "cloud")
            try await site.write("INSERT INTO \(site.qualified) (id, item) VALUES (8, 'local')")
            let forCloud = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: "cloud", limit: 10)
            #expect(forCloud.changes.map { $0.newRow?["id"] } == [.integer(8)])
            let everything = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(everything.changes.map(\.origin) == ["cloud", nil])
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func anAddedColumnIsPickedUpAndReported(_ engine: EngineUnderTest) async throws {
        try await withCapturedOrders(engine) { site, table in
            try await site.write(site.addColumn("note", "varchar(50)"))
            // SQLite rebuilds its triggers for a new column list at the next read or install.
            _ = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            try await site.write("INSERT INTO \(site.qualified) (id, note) VALUES (1, 'new column')")
            let batch = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(batch.changes.first?.newRow?["note"] == .text("new column"))
            #expect(batch.changes.first?.unknownColumns == ["note"])
            let current = try await site.connector.describeTable(site.table)
            let again = try await site.connector.readChanges(of: [current], after: nil, excludingOrigin: nil, limit: 10)
            #expect(again.changes.first?.unknownColumns == [])
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func pagesFollowTheCursor(_ engine: EngineUnderTest) async throws {
        try await withCapturedOrders(engine) { site, table in
            for id in 1...5 { try await site.write("INSERT INTO \(site.qualified) (id) VALUES (\(id))") }
            var cursor: String?
            var seen: [CanonicalValue?] = []
            var more = true
            while more {
                let batch = try await site.connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: 2)
                seen += batch.changes.map { $0.newRow?["id"] }
                cursor = batch.cursor
                more = batch.hasMore
            }
            #expect(seen == (1...5).map { .integer($0) })
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func uninstallingStopsCapture(_ engine: EngineUnderTest) async throws {
        try await withCapturedOrders(engine) { site, table in
            try await site.connector.uninstallCapture(on: site.table)
            try await site.write("INSERT INTO \(site.qualified) (id) VALUES (1)")
            #expect(try await site.connector.captureStatus(of: site.table).installed == false)
            let batch = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10)
            #expect(batch.changes.isEmpty)
        }
    }

    @Test(arguments: EngineUnderTest.available)
    func acknowledgingOneTableKeepsAnotherTablesChanges(_ engine: EngineUnderTest) async throws {
        try await withCapturedOrders(engine) { site, orders in
            let other = TableRef(schema: site.table.schema, name: site.table.name + "_other")
            let otherName = "\"\(other.schema)\".\"\(other.name)\""
            try await site.write("CREATE TABLE \(otherName) (id int PRIMARY KEY)")
            try await site.connector.installCapture(on: other, mode: .triggers)
            try await site.write("INSERT INTO \(site.qualified) (id) VALUES (1)", "INSERT INTO \(otherName) (id) VALUES (1)")
            let batch = try await site.connector.readChanges(of: [orders], after: nil, excludingOrigin: nil, limit: 10)
            #expect(batch.changes.count == 1)
            try await site.connector.acknowledge(batch.cursor, of: [orders.table])
            #expect(try await site.connector.captureStatus(of: site.table).pendingChanges == 0)
            #expect(try await site.connector.captureStatus(of: other).pendingChanges == 1)
            try await site.connector.uninstallCapture(on: other)
            try await site.write("DROP TABLE \(otherName)")
        }
    }
}
