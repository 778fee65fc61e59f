import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// Row digests: PostgreSQL computes in SQL what the hub computes from decoded values, for every type with a
/// common spelling, and no two different rows share a digest text.
struct RowDigestTests {
    @Test func differentRowsNeverShareADigestText() {
        let pairs: [([CanonicalValue], [CanonicalValue])] = [
            ([.text("a,"), .text("b")], [.text("a"), .text(",b")]),
            ([.null], [.text("")]),
            ([.null], [.text("NULL")]),
            ([.text("it's")], [.text("it''s")]),
            ([.text("a\\'b")], [.text("a'b")]),
            ([.float(0.0)], [.float(-0.0)]),
            ([.timestampWithZone("2024-01-01 00:00:00.000001+00:00")], [.timestampWithZone("2024-01-01 00:00:00+00:00")]),
        ]
        for (left, right) in pairs { #expect(RowDigest.of(left) != RowDigest.of(right), "\(left) vs \(right)") }
        #expect(
            RowDigest.of([.timestampWithZone("2024-01-01 05:30:00+05:30")]) == RowDigest.of([.timestampWithZone("2024-01-01 00:00:00+00:00")]),
            "the same instant at another offset")
    }

    /// Columns of the type matrix whose spelling PostgreSQL and the hub share (the others, such as json or
    /// arrays, still compare correctly: their ranges are compared row by row).
    static let shared = ["i2", "i4", "i8", "n", "n_free", "f4", "f8", "b", "t", "vc", "by", "u", "d", "ts", "tstz"]

    @Test(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
    func postgresDigestsInSQLWhatTheHubDigestsFromValues() async throws {
        try await PostgresFixture.with(postGIS: true) { source in
            try await source.run(contentsOf: PostgresTypeMatrixTests.setup)
            try await source.run(
                "INSERT INTO everything (id, t, f8, ts, tstz) VALUES (10, 'it''s a \\ and a '','' comma', '-0', 'infinity', '-infinity')")
            let table = try await source.connector.describeTable(TableRef(schema: "public", name: "everything"))
            let rows = try await readAll(source.connector, table)
            for column in Self.shared {
                let names = ["id", column]
                let positions = names.compactMap { name in table.columns.firstIndex { $0.name == name } }
                let onHub = RangeDigest(digests: rows.map { row in RowDigest.of(positions.map { row.values[$0] }) })
                let inDatabase = try await source.connector.digestRange(table, columns: names, after: nil, upTo: nil)
                #expect(inDatabase == onHub, "\(column)")
            }
            // A range: after key 1, up to key 3 included.
            let some = try await source.connector.digestRange(table, columns: ["id"], after: [.integer(1)], upTo: [.integer(3)])
            #expect(some.rows == 2)
            let cuts = try await source.connector.splitRange(table, after: nil, upTo: nil, every: 2)
            #expect(cuts == [[.integer(2)], [.integer(4)], [.integer(10)]], "\(cuts)")
        }
    }
}
