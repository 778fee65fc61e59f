import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// Timestamps read in binary must equal what PostgreSQL prints (the text path row images use).
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresTimestampTests {
    @Test func binaryTimestampsMatchPostgresText() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("""
                CREATE TABLE moments (id int PRIMARY KEY, local timestamp, instant timestamptz, text_local text, text_instant text)
                """, """
                INSERT INTO moments (id, local, instant)
                SELECT g, ts, ts AT TIME ZONE 'UTC'
                FROM (SELECT g, timestamp '2000-01-01' + (g * 9876543.21 - 4e9) * interval '1 second'
                      + (g % 7) * interval '1 microsecond' AS ts FROM generate_series(1, 600) AS g) AS s
                """, """
                INSERT INTO moments (id, local, instant) VALUES
                  (1001, '0001-01-01 00:00:00', '0001-01-01 00:00:00+00'), (1002, '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00'),
                  (1003, '1999-12-31 23:59:59.5', '1969-07-20 20:17:40+00'), (1004, 'infinity', '-infinity'),
                  (1005, '0044-03-15 12:00:00 BC', '0044-03-15 12:00:00+00 BC'), (1006, '2024-02-29 00:00:00.000001', NULL)
                """, "SET TimeZone = 'UTC'",
                "UPDATE moments SET text_local = local::text, text_instant = instant::text")
            let table = try await fixture.connector.describeTable(TableRef(schema: "public", name: "moments"))
            var rows: [Row] = []
            var after: [CanonicalValue]?
            repeat {
                let page = try await fixture.connector.readSnapshot(table, after: after, limit: 200)
                rows += page.rows
                after = page.nextKey
            } while after != nil
            #expect(rows.count == 606)
            for row in rows {
                let local = try PostgresValueCodec.decode(row.values[3].textValue, as: table.columns[1].canonicalType)
                let instant = try PostgresValueCodec.decode(row.values[4].textValue, as: table.columns[2].canonicalType)
                #expect(row.values[1] == local, "\(row.values[0])")
                #expect(row.values[2] == instant, "\(row.values[0])")
            }
        }
    }
}

extension CanonicalValue {
    var textValue: String? {
        if case let .text(text) = self { return text }
        return nil
    }
}
