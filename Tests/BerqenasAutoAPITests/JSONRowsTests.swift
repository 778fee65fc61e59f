import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import BerqenasAutoAPI

/// Values from real databases through the connectors' `select` into the JSON the APIs answer with: exact
/// decimals, ISO 8601 timestamps with offsets, base64 bytes, uuids and json as themselves.
struct JSONRowsTests {
    @Test(.enabled(if: PostgresTestCluster.shouldRun))
    func postgreSQLTypesBecomeTheirJSONForms() async throws {
        let url = try await PostgresTestCluster.makeDatabase(prefix: "autoapi_json")
        try await PostgresTestCluster.withConnection(url) { connection in
            try await connection.query(
                """
                CREATE TABLE kinds (id integer PRIMARY KEY, amount numeric(30,10), at timestamptz, local timestamp, u uuid,
                  b bytea, j jsonb, d date, iv interval, flag boolean, note text, f double precision);
                """, logger: Logger(label: "test"))
            try await connection.query(
                """
                INSERT INTO kinds VALUES (1, 12345678901234567890.1234567890, '2024-05-06 07:08:09.123456+02', '2024-05-06 07:08:09',
                  '8f14e45f-ceea-467f-a0e6-1f2f3e4d5c6b', '\\x00ff10', '{"a": [1, 2.50]}', '2024-02-29', '1 day 02:03:04.5',
                  true, E'say "hi"\\n\\\\', 0.1), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN');
                """, logger: Logger(label: "test"))
        }
        let parts = try #require(URLComponents(string: url))
        let connector = try PostgresConnector(
            spec: ConnectionSpec(
                engine: .postgresql, host: parts.host ?? "127.0.0.1", port: parts.port, database: String(parts.path.dropFirst()),
                username: parts.user ?? "postgres", password: parts.password ?? "", tls: .disable))
        defer { Task { await connector.close() } }
        let table = try await connector.describeTable(TableRef(schema: "public", name: "kinds"))
        let compiler = QueryCompiler(flavor: .postgresql(PostgresDialect()), table: table)
        let query = try compiler.select(
            try RequestParser.read([
                (name: "order", value: "id"),
                (name: "select", value: "id,amount,at,local,u,b,j,d,iv,flag,note,f,text:amount::text"),
            ]),
            maxRows: nil)
        let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
        let json = String(decoding: JSONRows.render(rows, columns: query.columns), as: UTF8.self)
        #expect(
            json
                == #"[{"id":1,"amount":12345678901234567890.1234567890,"at":"2024-05-06T05:08:09.123456+00:00","local":"2024-05-06T07:08:09","u":"8f14e45f-ceea-467f-a0e6-1f2f3e4d5c6b","b":"AP8Q","j":{"a": [1, 2.50]},"d":"2024-02-29","iv":"P1DT2H3M4.5S","flag":true,"note":"say \"hi\"\n\\","f":0.1,"text":"12345678901234567890.1234567890"},{"id":2,"amount":null,"at":null,"local":null,"u":null,"b":null,"j":null,"d":null,"iv":null,"flag":null,"note":null,"f":"NaN","text":null}]"#
        )
        #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil, "well-formed JSON")
    }

    @Test func numbersOnlyWhenTheyAreJSONNumbers() {
        for good in ["0", "-12.30", "1E+5", "3.0e-7", "12345678901234567890.123"] { #expect(JSONText.isNumber(good), "\(good)") }
        for bad in ["NaN", "Infinity", ".5", "01", "1.", "-", "1e", "12a"] { #expect(!JSONText.isNumber(bad), "\(bad)") }
        var out: [UInt8] = []
        JSONForm.write(.decimal("NaN"), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""NaN""#)
        out = []
        JSONText.string("a\u{1}b\tc", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\u0001b\tc""#)
    }
}
