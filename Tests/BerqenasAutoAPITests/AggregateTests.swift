import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// PostgREST 12's aggregates: `amount.sum()`, `count()`, `avg`, `min`, `max`, grouped by the select's other
/// columns; parsed, compiled for the three engines (T-SQL parsed by sqlglot), and run on real PostgreSQL and
/// SQLite, with their counts, windows, and per-row aggregates in embeds.
struct AggregateTests {
    static let schema = [
        "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)",
        "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers (id), total numeric(10,2), qty integer, note text)",
        "INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bo'), (3, 'Cy')",
        "INSERT INTO orders VALUES (10, 1, 5.50, 2, 'a'), (11, 1, 7.25, 3, 'b'), (12, 2, 1.00, 1, NULL), (13, NULL, 2.00, 4, 'c')",
    ]

    static func read(_ items: [(String, String)]) throws -> ReadRequest {
        try RequestParser.read(items.map { (name: $0.0, value: $0.1) })
    }

    @Test func aggregatesParseWithAliasesAndCasts() throws {
        let select = try Self.read([("select", "total.sum(),n:count(),qty.avg()::integer,\"odd col\".max(),customer_id,c:id.count()")]).select
        #expect(
            select == [
                .aggregate(Aggregate(.sum, column: "total")), .aggregate(Aggregate(.count, alias: "n")),
                .aggregate(Aggregate(.avg, column: "qty", cast: .integer)), .aggregate(Aggregate(.max, column: "odd col")),
                .column(name: "customer_id", alias: nil, cast: nil), .aggregate(Aggregate(.count, column: "id", alias: "c")),
            ])
        #expect(try Self.read([("select", "id,orders(total.sum())")]).select.count == 2)
        for bad in ["total.median()", "total.sum(x)", ":count()", "total.sum()::nothing at all"] {
            #expect(throws: AutoAPIError.self, "\(bad)") {
                let request = try Self.read([("select", bad)])
                _ = try QueryCompiler(flavor: .sqlite, table: TableSchema(table: TableRef(schema: "main", name: "t"), columns: [], primaryKey: []))
                    .select(request, maxRows: nil)
            }
        }
    }

    func withSource(_ engine: TestSource, _ body: (any DatabaseConnector, [String: QueryCompiler]) async throws -> Void) async throws {
        try await engine.with(Self.schema, compiling: ["customers", "orders"], body)
    }

    func json(_ connector: any DatabaseConnector, _ compiler: QueryCompiler, _ items: [(String, String)]) async throws -> String {
        let query = try compiler.select(Self.read(items), maxRows: 100)
        let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
        return String(decoding: JSONRows.render(rows, columns: query.columns), as: UTF8.self)
    }

    @Test(arguments: TestSource.available)
    func groupsByTheOtherColumns(_ engine: TestSource) async throws {
        try await withSource(engine) { connector, compilers in
            let orders = compilers["orders"]!
            // PostgreSQL's numerics keep their scale, as PostgREST shows them.
            let (half, one, two) = engine == .postgresql ? ("2.5000000000000000", "1.00", "2.00") : ("2.5", "1", "2")
            let all = try await json(connector, orders, [("select", "total.sum(),count(),qty.avg(),qty.min(),note.max()")])
            #expect(all == #"[{"sum":15.75,"count":4,"avg":"# + half + #","min":1,"max":"c"}]"#, "\(all)")
            let grouped = try await json(
                connector, orders, [("select", "customer_id,spent:total.sum(),lines:qty.count()"), ("order", "customer_id.nullslast")])
            #expect(
                grouped == #"[{"customer_id":1,"spent":12.75,"lines":2},{"customer_id":2,"spent":"# + one + #","lines":1},"#
                    + #"{"customer_id":null,"spent":"# + two + #","lines":1}]"#,
                "\(grouped)")
            let window = try await json(
                connector, orders, [("select", "customer_id,count()"), ("total", "gt.1.5"), ("order", "customer_id.desc.nullsfirst"), ("limit", "2")])
            #expect(window == #"[{"customer_id":null,"count":1},{"customer_id":1,"count":2}]"#, "\(window)")
            for (items, expected) in [([("select", "customer_id,count()")], 3), ([("select", "total.sum()")], 1), ([("select", "id")], 4)] {
                let count = try orders.count(Self.read(items))
                let rows = try await connector.select(
                    count.sql, binds: count.binds, columns: [ColumnSchema(name: "count", nativeType: "bigint", canonicalType: .integer(bits: 64))])
                #expect(rows.first?.values.first == .integer(Int64(expected)), "\(items): groups are counted")
            }
            await #expect(throws: AutoAPIError.self, "a sum of text") { _ = try await json(connector, orders, [("select", "note.sum()")]) }
        }
    }

    @Test(arguments: TestSource.available)
    func anEmbedAggregatesPerRow(_ engine: TestSource) async throws {
        try await withSource(engine) { connector, compilers in
            let reader = EmbeddingReader.over(connector, compilers)
            let objects = try await reader.read(
                Self.read([("select", "name,orders(total.sum(),count())"), ("order", "id")]), with: compilers["customers"]!)
            let got = "[" + objects.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",") + "]"
            let one = engine == .postgresql ? "1.00" : "1"
            let expected = #"[{"name":"Ann","orders":[{"sum":12.75,"count":2}]},{"name":"Bo","orders":[{"sum":"# + one + #","count":1}]},"#
            #expect(got == expected + #"{"name":"Cy","orders":[{"sum":null,"count":0}]}]"#, "nothing related: one empty group, as PostgREST")
            await #expect(throws: AutoAPIError.self, "aggregates beside embeds at one level") {
                _ = try await reader.read(Self.read([("select", "total.sum(),customers(name)")]), with: compilers["orders"]!)
            }
        }
    }

    @Test(.blockingWork) func theSQLEachEngineGets() async throws {
        try await TestSource.sqlite.with(Self.schema, compiling: ["orders"]) { _, compilers in
            var table = compilers["orders"]!.table
            let request = try Self.read([("select", "customer_id,total.sum(),qty.avg(),count()"), ("limit", "5")])
            let sqlite = try QueryCompiler(flavor: .sqlite, table: table).select(request, maxRows: nil).sql
            #expect(
                sqlite == #"SELECT "customer_id" AS "customer_id", CAST(SUM("total") AS NUMERIC) AS "sum", CAST(AVG("qty") AS NUMERIC) AS "avg", "#
                    + #"CAST(COUNT(*) AS INTEGER) AS "count" FROM "orders" GROUP BY "customer_id" LIMIT 5"#, "\(sqlite)")
            table.table.schema = "dbo"
            let tsql = try QueryCompiler(flavor: .tsql, table: table)
            let select = try tsql.select(request, maxRows: nil).sql
            #expect(
                select.contains("AVG(CAST([qty] AS decimal(38, 10)))") && select.contains("GROUP BY [customer_id] ORDER BY [customer_id] OFFSET 0"),
                "\(select)")
            try TSQLCheck.expectParsed([["name": "aggregate", "sql": select], ["name": "groups", "sql": try tsql.count(request).sql]])
        }
    }
}
