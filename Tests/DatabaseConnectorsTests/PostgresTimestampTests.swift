import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// Dates and timestamps read in binary must equal what PostgreSQL prints (the text path row images use).
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresTimestampTests {
    @Test func binaryDatesAndTimestampsMatchPostgresText() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run(
                """
                CREATE TABLE moments (id int PRIMARY KEY, local timestamp, instant timestamptz, day date, text_local text, text_instant text, text_day text)
                """,
                """
                INSERT INTO moments (id, local, instant, day)
                SELECT g, ts, ts AT TIME ZONE 'UTC', ts::date
                FROM (SELECT g, timestamp '2000-01-01' + (g * 9876543.21 - 4e9) * interval '1 second'
                      + (g % 7) * interval '1 microsecond' AS ts FROM generate_series(1, 600) AS g) AS s
                """,
                """
                INSERT INTO moments (id, local, instant, day) VALUES
                  (1001, '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '0001-01-01'),
                  (1002, '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', '9999-12-31'),
                  (1003, '1999-12-31 23:59:59.5', '1969-07-20 20:17:40+00', '1999-12-31'), (1004, 'infinity', '-infinity', 'infinity'),
                  (1005, '0044-03-15 12:00:00 BC', '0044-03-15 12:00:00+00 BC', '0044-03-15 BC'),
                  (1006, '2024-02-29 00:00:00.000001', NULL, '-infinity'), (1007, NULL, NULL, '4713-01-01 BC'),
                  (1008, NULL, NULL, '5874897-12-31'), (1009, NULL, NULL, NULL)
                """, "SET TimeZone = 'UTC'",
                "UPDATE moments SET text_local = local::text, text_instant = instant::text, text_day = day::text")
            let table = try await fixture.connector.describeTable(TableRef(schema: "public", name: "moments"))
            var rows: [Row] = []
            var after: [CanonicalValue]?
            repeat {
                let page = try await fixture.connector.readSnapshot(table, after: after, limit: 200)
                rows += page.rows
                after = page.nextKey
            } while after != nil
            #expect(rows.count == 609)
            for row in rows {
                for (binary, text) in [(1, 4), (2, 5), (3, 6)] {
                    let printed = try PostgresValueCodec.decode(row.values[text].textValue, as: table.columns[binary].canonicalType)
                    #expect(row.values[binary] == printed, "row \(row.values[0]), column \(table.columns[binary].name)")
                }
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
