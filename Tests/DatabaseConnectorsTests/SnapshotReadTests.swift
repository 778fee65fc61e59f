import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// Keyset pages come in primary-key order (numeric, not textual), complete, and resume from a key.
@Suite struct SnapshotReadTests {
    static let table = TableSchema(
        table: TableRef(schema: "public", name: "items"),
        columns: [
            .init(name: "shop", nativeType: "", canonicalType: .integer(bits: 32), nullable: false),
            .init(name: "id", nativeType: "", canonicalType: .integer(bits: 64), nullable: false),
            .init(name: "label", nativeType: "", canonicalType: .text(length: nil, fixed: false, collation: nil)),
        ],
        primaryKey: ["shop", "id"]
    )
    static let rows = (1...3).flatMap { shop in (1...25).map { Row([.integer(Int64(shop)), .integer(Int64($0)), .text("item \($0)")]) } }

    func check(_ connector: any DatabaseConnector, schema: String) async throws {
        var definition = Self.table
        definition.table.schema = schema
        try await connector.createTable(definition)
        let table = try await connector.describeTable(definition.table)
        try await connector.apply(Self.rows.shuffled().map(RowChange.upsert), to: table, origin: nil)
        #expect(try await readAll(connector, table, pageSize: 10) == Self.rows)
        let resumed = try await connector.readSnapshot(table, after: [.integer(2), .integer(24)], limit: 3)
        #expect(resumed.rows == Array(Self.rows[49...51]))
        #expect(resumed.nextKey == [.integer(3), .integer(2)])
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
    func postgresPagesFollowTheKey() async throws {
        try await PostgresFixture.with { fixture in try await check(fixture.connector, schema: "public") }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
    func aTableWithoutPrimaryKeyIsMarkedAndRefusedForKeyedWork() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE loose (a int, b text)")
            let table = try await fixture.connector.describeTable(TableRef(schema: "public", name: "loose"))
            #expect(!table.hasPrimaryKey)
            let error = await #expect(throws: ConnectorError.self) {
                try await fixture.connector.apply([.delete(key: [.integer(1)])], to: table, origin: nil)
            }
            #expect(error?.code == .unsupported)
            #expect(error?.message.contains("public.loose has no primary key") == true)
        }
    }

    @Test func sqlitePagesFollowTheKey() async throws {
        try await SQLiteFixture.with { connector in try await check(connector, schema: "main") }
    }
}

@Suite struct UUIDTextTests {
    @Test func parsesAndPrintsLikeFoundation() {
        for _ in 0..<200 {
            let uuid = UUID()
            #expect(UUIDText.lowercase(uuid) == uuid.uuidString.lowercased())
            #expect(UUIDText.parse(uuid.uuidString) == uuid)
            #expect(UUIDText.parse(uuid.uuidString.lowercased()) == uuid)
        }
        for bad in [
            "", "not-a-uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc999c0b-4ef8-bb6d-6bb9bd380a11-",
            "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
        ] {
            #expect(UUIDText.parse(bad) == nil, "\(bad)")
        }
    }
}
