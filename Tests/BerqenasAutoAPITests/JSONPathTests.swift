import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// JSON paths (`->`, `->>`) in select, filters and order: parsed as PostgREST reads them, compiled for the
/// three engines, and run on real PostgreSQL (jsonb, json, arrays) and SQLite (JSON text).
struct JSONPathTests {
    static func read(_ items: [(String, String)]) throws -> ReadRequest {
        try RequestParser.read(items.map { (name: $0.0, value: $0.1) })
    }

    @Test func keysIndexesAliasesAndCastsParse() throws {
        let request = try Self.read([
            ("select", #"myBar:settings->foo->>bar::integer,data->0->0xy1->-2->23-xy-45,"my->col"->a"#),
            ("data->foo->>bar", "not.eq.baz"), ("order", "data->>id.desc.nullslast"),
        ])
        #expect(
            request.select == [
                .column(name: "settings", alias: "myBar", cast: .integer, path: JSONPath([(.json, .key("foo")), (.text, .key("bar"))])),
                .column(
                    name: "data", alias: nil, cast: nil,
                    path: JSONPath([(.json, .index(0)), (.json, .key("0xy1")), (.json, .index(-2)), (.json, .key("23-xy-45"))])),
                .column(name: "my->col", alias: nil, cast: nil, path: JSONPath([(.json, .key("a"))])),
            ])
        #expect(
            request.filters == [
                .condition(
                    Condition(
                        column: "data", path: JSONPath([(.json, .key("foo")), (.text, .key("bar"))]), negated: true, operation: .compare(.eq, "baz")))
            ])
        #expect(request.order == [OrderTerm(column: "data", path: JSONPath([(.text, .key("id"))]), descending: true, nullsFirst: false)])
        #expect(JSONPath([(.json, .index(0)), (.text, .index(1))]).defaultName(column: "data") == "data")
        #expect(JSONPath([(.json, .key("c")), (.json, .index(0)), (.text, .index(4))]).defaultName(column: "data") == "c")
        for bad in ["data->", "data->>", "data->a->", "->a"] {
            #expect(throws: AutoAPIError.self, "\(bad)") { try Self.read([("select", bad)]) }
        }
    }

    static let table = TableSchema(
        table: TableRef(schema: "public", name: "docs"), kind: .table,
        columns: [
            ColumnSchema(name: "id", nativeType: "integer", canonicalType: .integer(bits: 32), nullable: false),
            ColumnSchema(name: "data", nativeType: "jsonb", canonicalType: .json(binary: true)),
            ColumnSchema(name: "numbers", nativeType: "integer[]", canonicalType: .array(of: .integer(bits: 32))),
        ], primaryKey: ["id"])

    static let request: [(String, String)] = [
        ("select", "id,n:data->c->0->d->>-1::integer,data->c"), ("data->>kind", "eq.it's"), ("order", "data->c->0.desc"),
    ]

    @Test func theSQLEachEngineGets() throws {
        let postgres = try QueryCompiler(flavor: .postgresql(PostgresDialect()), table: Self.table).select(Self.read(Self.request), maxRows: nil)
        #expect(
            postgres.sql
                == #"SELECT "id" AS "id", ("data"->'c'->0->'d'->>(-1))::integer AS "n", ("data"->'c')::text AS "c" FROM "public"."docs" WHERE ("data"->>'kind') = $1::text ORDER BY ("public"."docs"."data"->'c'->0) DESC"#
        )
        #expect(postgres.binds == ["it's"] && postgres.columns.map(\.name) == ["id", "n", "c"])
        var sqliteTable = Self.table
        sqliteTable.table.schema = "main"
        let sqlite = try QueryCompiler(flavor: .sqlite, table: sqliteTable).select(Self.read(Self.request), maxRows: nil)
        #expect(
            sqlite.sql
                == #"SELECT "id" AS "id", CAST(CAST("data" ->> '$."c"[0]."d"[#-1]' AS TEXT) AS INTEGER) AS "n", ("data" -> '$."c"') AS "c" FROM "docs" WHERE CAST("data" ->> '$."kind"' AS TEXT) = ?1 ORDER BY ("docs"."data" -> '$."c"[0]') DESC"#
        )
        // A key with a quote reaches PostgreSQL as hex the server decodes: nothing in it is read as SQL.
        let hostile = try QueryCompiler(flavor: .postgresql(PostgresDialect()), table: Self.table)
            .select(Self.read([("data->>a'); DROP TABLE docs; --", "is.null")]), maxRows: nil)
        #expect(hostile.sql.contains("convert_from(decode('6127293b2044524f50205441424c4520646f63733b202d2d', 'hex'), 'UTF8')"), "\(hostile.sql)")
        #expect(!hostile.sql.contains("DROP"))
        // A quote inside a grapheme cluster (an apostrophe and a combining accent) is still a quote to SQL.
        let combined = "data->>x\u{301}'||(SELECT current_user)||'\u{301}"
        let clustered = try QueryCompiler(flavor: .postgresql(PostgresDialect()), table: Self.table)
            .select(Self.read([(combined, "is.null")]), maxRows: nil)
        #expect(clustered.sql.contains("convert_from(decode(") && !clustered.sql.contains("current_user"), "\(clustered.sql)")
        #expect(throws: AutoAPIError.self) {
            try QueryCompiler(flavor: .sqlite, table: sqliteTable).select(Self.read([(combined, "is.null")]), maxRows: nil)
        }
    }

    @Test(.blockingWork) func sqlServerGetsJSONQueryAndJSONValueAndRefusesWhatItCannotSay() throws {
        var table = Self.table
        table.table.schema = "dbo"
        table.columns[1] = ColumnSchema(name: "data", nativeType: "nvarchar(max)", canonicalType: .text(length: nil, fixed: false, collation: nil))
        let compiler = QueryCompiler(flavor: .tsql, table: table)
        let query = try compiler.select(
            Self.read([("select", "id,data->c->0,kind:data->>kind"), ("data->a->>b", "eq.x"), ("order", "data->>kind")]), maxRows: 10)
        #expect(query.sql.contains(#"JSON_QUERY([data], N'$."c"[0]')"#) && query.sql.contains(#"JSON_VALUE([data], N'$."kind"')"#), "\(query.sql)")
        try TSQLCheck.expectParsed([["name": "paths", "sql": query.sql]])
        for (name, value) in [("select", "data->>-1"), ("select", "data->>a->b"), ("select", #"data->>a"b"#), ("data->>it's", "eq.1")] {
            #expect(throws: AutoAPIError.self, "\(value)") { try compiler.select(Self.read([(name, value)]), maxRows: nil) }
        }
    }

    /// (query items, the rows as JSON text) on PostgreSQL and SQLite alike.
    static let cases: [([(String, String)], String)] = [
        ([("select", "id,data->>kind"), ("order", "id")], #"[{"id":1,"kind":"pen"},{"id":2,"kind":"book"},{"id":3,"kind":null}]"#),
        ([("select", "id,data->c"), ("id", "in.(2,3)"), ("order", "id")], #"[{"id":2,"c":[1,2,3]},{"id":3,"c":[{"d":[4,5,6]}]}]"#),
        ([("select", "x:data->c->0->d->>-1::integer"), ("id", "eq.3")], #"[{"x":6}]"#),
        ([("select", "data->c->>1"), ("id", "eq.2")], #"[{"c":"2"}]"#),
        ([("select", "id"), ("data->>kind", "eq.book")], #"[{"id":2}]"#),
        ([("select", "id"), ("data->c->>-3", "eq.1")], #"[{"id":2}]"#),
        ([("select", "id"), ("or", "(data->>kind.eq.pen,data->c->0->d->>0.eq.4)"), ("order", "id")], #"[{"id":1},{"id":3}]"#),
        ([("select", "id"), ("data->>year", "gt.2000")], #"[{"id":2}]"#),
        ([("select", "id"), ("order", "data->>kind.desc.nullslast,id")], #"[{"id":1},{"id":2},{"id":3}]"#),
        ([("select", "id"), ("data->>missing", "is.null"), ("order", "id")], #"[{"id":1},{"id":2},{"id":3}]"#),
    ]

    @Test(arguments: TestSource.available)
    func pathsSelectFilterAndOrderTheSameRowsOnEveryEngine(_ source: TestSource) async throws {
        let type = source == .postgresql ? "jsonb" : "TEXT"
        let setup = [
            "CREATE TABLE docs (id integer PRIMARY KEY, data \(type))",
            #"INSERT INTO docs VALUES (1, '{"kind":"pen","year":1999}'), (2, '{"kind":"book","year":2005,"c":[1,2,3]}'), (3, '{"c":[{"d":[4,5,6]}]}')"#,
        ]
        try await source.with(setup, compiling: ["docs"]) { connector, compilers in
            for (items, expected) in Self.cases {
                let query = try compilers["docs"]!.select(Self.read(items), maxRows: nil)
                let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
                let json = String(decoding: JSONRows.render(rows, columns: query.columns), as: UTF8.self)
                #expect(try Self.same(json, expected), "\(items): \(query.sql) gave \(json)")
            }
        }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun))
    func postgresArraysAndJSONColumnsAndHostileKeys() async throws {
        let setup = [
            "CREATE TABLE arrays (id integer PRIMARY KEY, numbers integer[], doc json)",
            #"INSERT INTO arrays VALUES (0, '{1,2,3}', '{"a b":{"it''s":7}}'), (1, '{11,12,13}', '{"a b":{"it''s":8}}')"#,
        ]
        try await TestSource.postgresql.with(setup, compiling: ["arrays"]) { connector, compilers in
            let compiler = compilers["arrays"]!
            for (items, expected) in [
                ([("select", "a:numbers->0,b:numbers->>1"), ("order", "numbers->0.desc")], #"[{"a":11,"b":"12"},{"a":1,"b":"2"}]"#),
                ([("select", "id"), ("numbers->0", "eq.1")], #"[{"id":0}]"#),
                ([("select", "v:doc->a b->>it's"), ("id", "eq.1")], #"[{"v":"8"}]"#),
                ([("select", "id"), ("doc->a b->>it's", "eq.7")], #"[{"id":0}]"#),
                ([("select", "id"), ("doc->>x'); DROP TABLE arrays; --", "is.null"), ("order", "id")], #"[{"id":0},{"id":1}]"#),
                ([("select", "id"), ("order", "id.desc")], #"[{"id":1},{"id":0}]"#),  // still there
            ] as [([(String, String)], String)] {
                let query = try compiler.select(Self.read(items), maxRows: nil)
                let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
                let json = String(decoding: JSONRows.render(rows, columns: query.columns), as: UTF8.self)
                #expect(try Self.same(json, expected), "\(items): \(query.sql) gave \(json)")
            }
        }
    }

    /// Whether two JSON texts hold the same value (key order aside).
    static func same(_ left: String, _ right: String) throws -> Bool {
        let parse = { (text: String) in try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSArray }
        return try parse(left) == parse(right)
    }
}
