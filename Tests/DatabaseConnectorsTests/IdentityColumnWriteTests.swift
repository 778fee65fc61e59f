import BerqenasTestSupport
import DatabaseConnectors
import Testing

/// Identity columns outside the key: a sync writes their values on insert, and never asks the engine to
/// update one, which PostgreSQL refuses for GENERATED ALWAYS (SQLSTATE 428C9) and SQL Server for every identity.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct IdentityColumnWriteTests {
    @Test func anUpsertOfAnExistingRowLeavesAGeneratedAlwaysIdentityAlone() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run(
                "CREATE TABLE ticket (id integer PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, note text)",
                "INSERT INTO ticket (id, note) VALUES (1, 'first')")
            let ref = TableRef(schema: "public", name: "ticket")
            let table = try await fixture.connector.describeTable(ref)
            #expect(table.column("seq")?.isFixedIdentity == true)
            #expect(table.column("note")?.isFixedIdentity == false)
            // An update of the existing row (its identity value as it is) and an insert carrying its own.
            try await fixture.connector.apply(
                [.upsert(Row([.integer(1), .integer(1), .text("edited")])), .upsert(Row([.integer(2), .integer(40), .text("copied")]))],
                to: table, origin: nil)
            let rows = try await fixture.connector.readSnapshot(table, after: nil, limit: 10).rows
            #expect(rows.map(\.values) == [[.integer(1), .integer(1), .text("edited")], [.integer(2), .integer(40), .text("copied")]])
        }
    }

    @Test func generatedUpsertsNeverSetAFixedIdentity() {
        let table = TableSchema(
            table: TableRef(schema: "dbo", name: "ticket"),
            columns: [
                ColumnSchema(name: "id", nativeType: "int", canonicalType: .integer(bits: 32)),
                ColumnSchema(name: "seq", nativeType: "bigint", canonicalType: .integer(bits: 64), isIdentity: true, isFixedIdentity: true),
                ColumnSchema(name: "note", nativeType: "nvarchar(max)", canonicalType: .text(length: nil, fixed: false, collation: nil)),
            ],
            primaryKey: ["id"])
        let merge = TSQLDialect().mergeSQL(table, rowCount: 1)
        #expect(merge.contains("UPDATE SET target.[note] = source.[note] WHEN NOT MATCHED"), "\(merge)")
        #expect(merge.contains("INSERT ([id], [seq], [note])"), "the insert still carries the identity's value")
        let upsert = PostgresDialect().upsertSQL(table)
        #expect(upsert.contains("DO UPDATE SET \"note\" = EXCLUDED.\"note\""), "\(upsert)")
        #expect(!upsert.contains("\"seq\" = EXCLUDED"))
    }
}
