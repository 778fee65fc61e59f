import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// Casts in `select=`: the common ones on every engine, any type PostgreSQL knows there (its value as the JSON
/// PostgreSQL makes of it), a type that does not exist answered with the server's own 42704, and nothing but a
/// type name ever following `::` into SQL.
struct CastTests {
    @Test func typeNamesAndNothingElse() throws {
        for (text, name) in [
            ("int2", "int2"), ("varchar(2)", "varchar(2)"), ("numeric(10,2)", "numeric(10,2)"), ("pg_catalog.int4", "pg_catalog.int4"),
            ("timestamp with time zone", "timestamp with time zone"), ("int4[]", "int4[]"), ("UUID", "uuid"),
        ] {
            #expect(CastType.parse(text) == .named(name), "\(text)")
        }
        #expect(CastType.parse("int") == .integer && CastType.parse("float8") == .double)
        for hostile in [
            "int4 union select", #""int""#, "int)", "int4(1) or true", "int;drop", "a.b.c", "int(1,2,3)", "int(12345)", "int[][][]", "1int",
            "text collate c", "int--", "",
        ] {
            #expect(CastType.parse(hostile) == nil, "\(hostile)")
        }
        let request = try RequestParser.read([(name: "select", value: "id,cost:price::numeric(10,1),price::int2")])
        #expect(
            request.select == [
                .column(name: "id", alias: nil, cast: nil), .column(name: "price", alias: "cost", cast: .named("numeric(10,1)")),
                .column(name: "price", alias: nil, cast: .named("int2")),
            ])
        #expect(throws: AutoAPIError.self) { try RequestParser.read([(name: "select", value: "id::int4 union select 1")]) }
    }

    @Test func otherEnginesKeepTheCommonCasts() throws {
        let table = CompiledQueryExecutionTests.table(schema: "main")
        for flavor in [SQLFlavor.sqlite, .tsql] {
            let compiler = QueryCompiler(flavor: flavor, table: table)
            #expect(try compiler.select(RequestParser.read([(name: "select", value: "id::text")]), maxRows: nil).sql.contains("CAST"))
            do {
                _ = try compiler.select(RequestParser.read([(name: "select", value: "id::int2")]), maxRows: nil)
                Issue.record("int2 must be refused off PostgreSQL")
            } catch let error as AutoAPIError {
                #expect(error.status == 400 && error.message.contains("PostgreSQL"), "\(error)")
            }
        }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun))
    func anyTypePostgreSQLKnowsAndItsOwnErrorForOneItDoesNot() async throws {
        let setup = ["CREATE TABLE items (id integer PRIMARY KEY, name text, price numeric(12,2))", "INSERT INTO items VALUES (1, 'Anna', 3.25)"]
        try await TestSource.postgresql.with(setup, compiling: ["items"]) { connector, compilers in
            let compiler = compilers["items"]!
            let query = try compiler.select(
                RequestParser.read([(name: "select", value: "id::int2,n:name::varchar(2),p:price::numeric(10,1),f:price::float4")]), maxRows: nil)
            let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
            let json = String(decoding: JSONRows.render(rows, columns: query.columns), as: UTF8.self)
            #expect(json == #"[{"id":1,"n":"An","p":3.3,"f":3.25}]"#, "\(query.sql) gave \(json)")
            let missing = try compiler.select(RequestParser.read([(name: "select", value: "id::nosuchtype")]), maxRows: nil)
            do {
                _ = try await connector.select(missing.sql, binds: missing.binds, columns: missing.columns.map(\.value))
                Issue.record("a type that does not exist must fail")
            } catch let error as ConnectorError {
                #expect(error.source?.state == "42704", "\(error)")
            }
        }
    }
}
