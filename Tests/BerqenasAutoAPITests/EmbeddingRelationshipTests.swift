import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// PostgREST's relationship rules on real PostgreSQL and SQLite: hints that pick one of several foreign keys
/// (PGRST201 lists them), self-references, many-to-many through a junction table, one-to-one, `!inner` and
/// `is.null` on embeds (the outer rows, their window and their count narrowed), spreads, embedded windows and
/// empty embeds.
struct EmbeddingRelationshipTests {
    static let schema = [
        "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL, manager_id integer REFERENCES people (id))",
        "CREATE TABLE addresses (id integer PRIMARY KEY, city text)",
        """
        CREATE TABLE shops (id integer PRIMARY KEY, name text,
          billing_id integer CONSTRAINT shops_billing_fk REFERENCES addresses (id),
          shipping_id integer CONSTRAINT shops_shipping_fk REFERENCES addresses (id))
        """,
        "CREATE TABLE films (id integer PRIMARY KEY, title text)",
        """
        CREATE TABLE roles (person_id integer REFERENCES people (id), film_id integer REFERENCES films (id), part text,
          PRIMARY KEY (person_id, film_id))
        """,
        "CREATE TABLE passports (id integer PRIMARY KEY, person_id integer UNIQUE REFERENCES people (id), number text)",
        "INSERT INTO people VALUES (1, 'Ada', NULL), (2, 'Bo', 1), (3, 'Cy', 1), (4, 'Di', 2)",
        "INSERT INTO addresses VALUES (1, 'Oslo'), (2, 'Rome')",
        "INSERT INTO shops VALUES (1, 'North', 1, 2), (2, 'South', 2, NULL)",
        "INSERT INTO films VALUES (1, 'Alien'), (2, 'Brazil'), (3, 'Cube')",
        "INSERT INTO roles VALUES (1, 2, 'lead'), (1, 1, 'extra'), (2, 2, 'lead'), (3, 3, 'lead')",
        "INSERT INTO passports VALUES (1, 1, 'P-1'), (2, 3, 'P-3')",
    ]
    static let tables = ["people", "addresses", "shops", "films", "roles", "passports"]

    func withReader(_ engine: TestSource, _ body: (EmbeddingReader) async throws -> Void) async throws {
        try await engine.with(Self.schema, compiling: Self.tables) { connector, compilers in
            try await body(EmbeddingReader.over(connector, compilers))
        }
    }

    func json(_ reader: EmbeddingReader, _ table: String, _ items: [(String, String)]) async throws -> String {
        try await reader.json(table, items)
    }

    func expect(
        _ reader: EmbeddingReader, _ table: String, _ items: [(String, String)], _ expected: String, _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let got = try await json(reader, table, items)
        #expect(got == expected, comment, sourceLocation: sourceLocation)
    }

    func failure(_ reader: EmbeddingReader, _ table: String, _ items: [(String, String)]) async -> AutoAPIError? {
        do {
            _ = try await json(reader, table, items)
            return nil
        } catch {
            return error as? AutoAPIError
        }
    }

    @Test(arguments: TestSource.available)
    func hintsPickOneOfSeveralForeignKeys(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            let ambiguous = await failure(reader, "shops", [("select", "name,addresses(city)")])
            #expect(ambiguous?.status == 300 && ambiguous?.code == "PGRST201")
            #expect(ambiguous?.detailList?.count == 2 && ambiguous?.detailList?.first?["cardinality"] == "many-to-one")
            #expect(ambiguous?.hint?.contains("'addresses!") == true, "the hint names the spellings that would do")
            try await expect(
                reader, "shops",
                [("select", "name,billing:addresses!billing_id(city),shipping:addresses!shipping_id(city)"), ("order", "id")],
                #"[{"name":"North","billing":{"city":"Oslo"},"shipping":{"city":"Rome"}},"#
                    + #"{"name":"South","billing":{"city":"Rome"},"shipping":null}]"#)
            try await expect(
                reader, "shops", [("select", "name,billing_id(city)"), ("id", "eq.1")], #"[{"name":"North","billing_id":{"city":"Oslo"}}]"#,
                "a key column names the embed it leads to")
            try await expect(
                reader, "addresses", [("select", "city,billed:shops!billing_id(name)"), ("order", "id")],
                #"[{"city":"Oslo","billed":[{"name":"North"}]},{"city":"Rome","billed":[{"name":"South"}]}]"#)
            if engine == .postgresql {
                try await expect(
                    reader, "shops", [("select", "name,addresses!shops_shipping_fk(city)"), ("id", "eq.1")],
                    #"[{"name":"North","addresses":{"city":"Rome"}}]"#, "the foreign key's name")
            }
            let unknown = await failure(reader, "shops", [("select", "name,addresses!nope(city)")])
            #expect(unknown?.status == 400 && unknown?.code == "PGRST200" && unknown?.details?.contains("the hint 'nope'") == true)
        }
    }

    @Test(arguments: TestSource.available)
    func selfReferencesGiveChildrenByTableAndParentByKeyColumn(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            try await expect(
                reader, "people", [("select", "name,people(name)"), ("id", "lt.3"), ("order", "id")],
                #"[{"name":"Ada","people":[{"name":"Bo"},{"name":"Cy"}]},{"name":"Bo","people":[{"name":"Di"}]}]"#)
            try await expect(
                reader, "people", [("select", "name,boss:manager_id(name,boss:manager_id(name))"), ("id", "eq.4")],
                #"[{"name":"Di","boss":{"name":"Bo","boss":{"name":"Ada"}}}]"#, "recursive, two levels up")
            try await expect(
                reader, "people", [("select", "name,reports:people!manager_id(name)"), ("id", "eq.2")], #"[{"name":"Bo","reports":[{"name":"Di"}]}]"#)
        }
    }

    @Test(arguments: TestSource.available)
    func manyToManyThroughAJunctionAndOneToOne(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            try await expect(
                reader, "people", [("select", "name,films(title)"), ("films.order", "title.desc"), ("order", "id")],
                #"[{"name":"Ada","films":[{"title":"Brazil"},{"title":"Alien"}]},{"name":"Bo","films":[{"title":"Brazil"}]},"#
                    + #"{"name":"Cy","films":[{"title":"Cube"}]},{"name":"Di","films":[]}]"#)
            try await expect(
                reader, "films", [("select", "title,people!roles(name)"), ("id", "eq.2"), ("people.name", "neq.Bo")],
                #"[{"title":"Brazil","people":[{"name":"Ada"}]}]"#, "hinted by the junction, filtered on the far side")
            try await expect(
                reader, "people", [("select", "name,passports(number)"), ("order", "id"), ("limit", "2")],
                #"[{"name":"Ada","passports":{"number":"P-1"}},{"name":"Bo","passports":null}]"#,
                "a unique foreign key is one-to-one from both sides")
            try await expect(reader, "passports", [("select", "number,people(name)"), ("id", "eq.2")], #"[{"number":"P-3","people":{"name":"Cy"}}]"#)
        }
    }

    @Test(arguments: TestSource.available)
    func innerJoinsAndNullFiltersNarrowTheOuterRowsBeforeTheirWindow(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            let people = reader.compilers["people"]!
            let inner: [(String, String)] = [("select", "name,films!inner(title)"), ("films.title", "eq.Brazil"), ("order", "id")]
            try await expect(reader, "people", inner, #"[{"name":"Ada","films":[{"title":"Brazil"}]},{"name":"Bo","films":[{"title":"Brazil"}]}]"#)
            try await expect(
                reader, "people", inner + [("offset", "1"), ("limit", "1")], #"[{"name":"Bo","films":[{"title":"Brazil"}]}]"#,
                "the window is taken over the rows that stay")
            let counted = try reader.counted(try RequestParser.read(inner.map { (name: $0.0, value: $0.1) }), with: people)
            let count = try people.count(counted)
            #expect(count.sql.contains("EXISTS") && count.binds == ["Brazil"])
            try await expect(
                reader, "people", [("select", "name,passports()"), ("passports", "is.null"), ("order", "id")], #"[{"name":"Bo"},{"name":"Di"}]"#,
                "an empty embed filters and is left out of the answer")
            try await expect(
                reader, "people", [("select", "name,passports(number)"), ("passports", "not.is.null"), ("passports.number", "eq.P-3")],
                #"[{"name":"Cy","passports":{"number":"P-3"}}]"#)
            try await expect(
                reader, "people", [("select", "name,passports(),films()"), ("or", "(passports.not.is.null,films.is.null)"), ("order", "id")],
                #"[{"name":"Ada"},{"name":"Cy"},{"name":"Di"}]"#, "in a logic tree")
            try await expect(
                reader, "shops", [("select", "name,addresses!billing_id!inner(city,shops!shipping_id!inner(name))"), ("order", "id")],
                #"[{"name":"South","addresses":{"city":"Rome","shops":[{"name":"North"}]}}]"#,
                "nested: a shop billed where some shop ships")
        }
    }

    @Test(arguments: TestSource.available)
    func spreadsWindowsAndEmptyEmbeds(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            try await expect(
                reader, "shops", [("select", "name,...addresses!shipping_id(town:city)"), ("order", "id")],
                #"[{"name":"North","town":"Rome"},{"name":"South","town":null}]"#)
            try await expect(
                reader, "people", [("select", "name,...films(title)"), ("films.order", "title"), ("id", "in.(1,4)")],
                #"[{"name":"Ada","title":["Alien","Brazil"]},{"name":"Di","title":[]}]"#, "to-many: an array of each column")
            try await expect(
                reader, "people",
                [("select", "name,films(title)"), ("films.order", "title"), ("films.limit", "1"), ("films.offset", "1"), ("id", "eq.1")],
                #"[{"name":"Ada","films":[{"title":"Brazil"}]}]"#, "a window over each row's embedded rows")
            try await expect(reader, "people", [("select", "name,films()"), ("id", "eq.1")], #"[{"name":"Ada"}]"#)
            try await expect(
                reader, "people",
                [("select", "name,people(name)"), ("people.order", "name.desc"), ("people.limit", "1"), ("id", "lt.3"), ("order", "id")],
                #"[{"name":"Ada","people":[{"name":"Cy"}]},{"name":"Bo","people":[{"name":"Di"}]}]"#, "a window per outer row, in the database")
            try await expect(
                reader, "people", [("select", "name,people(name)"), ("people.order", "name"), ("people.offset", "1"), ("id", "eq.1")],
                #"[{"name":"Ada","people":[{"name":"Cy"}]}]"#)
        }
    }

    /// Views relate through their base tables' keys, on the columns they show unchanged (renamed or not).
    @Test(.enabled(if: PostgresTestCluster.shouldRun)) func viewsRelateThroughTheColumnsTheyShow() async throws {
        let views = [
            "CREATE VIEW shop_list AS SELECT s.id AS shop, s.name AS title, s.billing_id AS bill_to, upper(s.name) AS loud FROM shops s",
            "CREATE VIEW cities AS SELECT id, city FROM (SELECT * FROM addresses WHERE id > 0) AS a",
        ]
        try await TestSource.postgresql.with(Self.schema + views, compiling: Self.tables + ["shop_list", "cities"]) { connector, compilers in
            let shops = compilers["shop_list"]!.table
            #expect(
                shops.origins?.map { "\($0.column)=\($0.table.name).\($0.sourceColumn)" } == [
                    "shop=shops.id", "title=shops.name", "bill_to=shops.billing_id",
                ],
                "an expression (loud) has no origin")
            #expect(shops.foreignKeys.map(\.columns) == [["bill_to"]], "only the key whose columns it shows")
            let reader = EmbeddingReader.over(connector, compilers)
            try await expect(
                reader, "shop_list", [("select", "title,addresses(city)"), ("order", "shop")],
                #"[{"title":"North","addresses":{"city":"Oslo"}},{"title":"South","addresses":{"city":"Rome"}}]"#)
            try await expect(
                reader, "shop_list", [("select", "title,cities(city)"), ("shop", "eq.2")], #"[{"title":"South","cities":{"city":"Rome"}}]"#,
                "view to view, through a subquery")
            try await expect(
                reader, "cities", [("select", "city,shop_list(title)"), ("order", "id")],
                #"[{"city":"Oslo","shop_list":[{"title":"North"}]},{"city":"Rome","shop_list":[{"title":"South"}]}]"#)
            try await expect(
                reader, "addresses", [("select", "city,shop_list!inner(title)"), ("shop_list.title", "eq.South")],
                #"[{"city":"Rome","shop_list":[{"title":"South"}]}]"#)
            try await expect(
                reader, "shop_list", [("select", "title,bill_to(city)"), ("shop", "eq.1")], #"[{"title":"North","bill_to":{"city":"Oslo"}}]"#,
                "the key column names the table, never a view showing it")
        }
    }

    /// The conditions on related rows, as each engine gets them (T-SQL parsed by sqlglot).
    @Test(.blockingWork) func existsAsEachEngineGetsIt() async throws {
        try await TestSource.sqlite.with(Self.schema, compiling: Self.tables) { _, compilers in
            let request = try RequestParser.read([
                (name: "select", value: "name,films!inner(title)"), (name: "films.title", value: "eq.Brazil"),
                (name: "select", value: "name,films!inner(title),passports()"), (name: "passports", value: "is.null"),
            ])
            var sql: [String: String] = [:]
            var tsql: [String: QueryCompiler] = [:]
            for (engine, flavor, schema) in [("postgresql", SQLFlavor.postgresql(PostgresDialect()), "public"), ("tsql", .tsql, "dbo")] {
                let moved = compilers.mapValues { compiler in
                    var table = compiler.table
                    table.table.schema = schema
                    table.foreignKeys = table.foreignKeys.map { key in
                        var key = key
                        key.referencedTable.schema = schema
                        return key
                    }
                    return QueryCompiler(flavor: flavor, table: table)
                }
                let reader = EmbeddingReader(compilers: moved, maxRows: 10) { _ in [] }
                sql[engine] = try moved["people"]!.count(reader.counted(request, with: moved["people"]!)).sql
                if engine == "tsql" { tsql = moved }
            }
            let moved = tsql
            #expect(
                sql["postgresql"]
                    == #"SELECT COUNT(*) AS "count" FROM "public"."people" WHERE NOT EXISTS (SELECT 1 FROM "public"."passports" AS "bq_e1" "#
                    + #"WHERE "bq_e1"."person_id" = "public"."people"."id") AND EXISTS (SELECT 1 FROM "public"."roles" AS "bq_j1" "#
                    + #"WHERE "bq_j1"."person_id" = "public"."people"."id" AND EXISTS (SELECT 1 FROM "public"."films" AS "bq_e1" "#
                    + #"WHERE "bq_e1"."id" = "bq_j1"."film_id" AND "title" = $1::TEXT))"#)
            #expect(sql["tsql"]?.contains("FROM [dbo].[roles] AS [bq_j1] WHERE [bq_j1].[person_id] = [dbo].[people].[id]") == true, "\(sql)")
            let lines = moved["people"]!
            let windowed = try lines.select(
                RequestParser.read([(name: "select", value: "id,name"), (name: "order", value: "name.desc")]), maxRows: 50,
                window: QueryCompiler.GroupWindow(partition: ["manager_id"], offset: 1, limit: 2))
            #expect(
                windowed.sql.contains("ROW_NUMBER() OVER (PARTITION BY [manager_id] ORDER BY [dbo].[people].[name] DESC)")
                    && windowed.sql.hasSuffix("WHERE [bq_rn] > 1 AND [bq_rn] <= 3 ORDER BY [bq_w].[bq_rn] OFFSET 0 ROWS FETCH NEXT 50 ROWS ONLY"),
                "\(windowed.sql)")
            try TSQLCheck.expectParsed([["name": "exists", "sql": sql["tsql"]!], ["name": "window", "sql": windowed.sql]])
        }
    }
}
