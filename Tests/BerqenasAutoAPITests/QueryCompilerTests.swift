import DatabaseConnectors
import Testing

@testable import BerqenasAutoAPI

/// Parsed requests compiled for PostgreSQL, SQLite and T-SQL: the SQL each engine gets, values only as
/// bound parameters, names only from the served columns.
struct QueryCompilerTests {
    static let table = TableSchema(
        table: TableRef(schema: "public", name: "items"), kind: .table,
        columns: [
            ColumnSchema(name: "id", nativeType: "integer", canonicalType: .integer(bits: 32), nullable: false),
            ColumnSchema(name: "name", nativeType: "text", canonicalType: .text(length: nil, fixed: false, collation: nil)),
            ColumnSchema(name: "price", nativeType: "numeric(12,2)", canonicalType: .decimal(precision: 12, scale: 2)),
            ColumnSchema(name: "active", nativeType: "boolean", canonicalType: .boolean),
            ColumnSchema(name: "secret", nativeType: "text", canonicalType: .text(length: nil, fixed: false, collation: nil)),
        ],
        primaryKey: ["id"])

    static let request = ReadRequest(
        select: [
            .column(name: "id", alias: nil, cast: nil), .column(name: "name", alias: "title", cast: nil),
            .column(name: "price", alias: nil, cast: .text),
        ],
        filters: [
            .condition(Condition(column: "price", operation: .compare(.gte, "10"))),
            .group(
                conjunction: .or, negated: false,
                members: [
                    .condition(Condition(column: "name", operation: .like("a%", caseInsensitive: true))),
                    .condition(Condition(column: "id", negated: true, operation: .isIn(["1", "2"]))),
                ]),
            .condition(Condition(column: "active", operation: .isValue(.true))),
        ],
        order: [OrderTerm(column: "price", descending: true, nullsFirst: false)], limit: 50, offset: 10)

    func compiler(_ flavor: SQLFlavor) -> QueryCompiler {
        var table = Self.table
        if case .sqlite = flavor { table.table.schema = "main" }
        return QueryCompiler(flavor: flavor, table: table, servedColumns: ["id", "name", "price", "active"])
    }

    @Test func postgreSQL() throws {
        let query = try compiler(.postgresql(PostgresDialect())).select(Self.request, maxRows: 1000)
        #expect(
            query.sql
                == #"SELECT "id" AS "id", "name"::text AS "title", "price"::text AS "price" FROM "public"."items" WHERE "price" >= $1::numeric(12,2) AND ("name" ILIKE $2::text OR NOT ("id" IN ($3::integer, $4::integer))) AND "active" IS TRUE ORDER BY "public"."items"."price" DESC NULLS LAST LIMIT 50 OFFSET 10"#
        )
        #expect(query.binds == ["10", "a%", "1", "2"])
        #expect(query.columns.map(\.name) == ["id", "title", "price"])
    }

    @Test func sqlite() throws {
        let query = try compiler(.sqlite).select(Self.request, maxRows: 20)
        #expect(
            query.sql
                == #"SELECT "id" AS "id", "name" AS "title", CAST("price" AS TEXT) AS "price" FROM "items" WHERE "price" >= ?1 AND ("name" LIKE ?2 ESCAPE '\' OR NOT ("id" IN (?3, ?4))) AND "active" IS TRUE ORDER BY "items"."price" DESC NULLS LAST LIMIT 20 OFFSET 10"#
        )
        #expect(
            try compiler(.sqlite).select(ReadRequest(offset: 5), maxRows: nil).sql.hasSuffix(" LIMIT -1 OFFSET 5"),
            "SQLite needs a LIMIT before OFFSET")
    }

    @Test func tsql() throws {
        let query = try compiler(.tsql).select(Self.request, maxRows: nil)
        #expect(
            query.sql.hasPrefix(
                "SELECT CONVERT(varchar(50), [id]) AS [id], CONVERT(nvarchar(max), [name]) AS [title], CONVERT(nvarchar(max), CAST([price] AS nvarchar(max))) AS [price] FROM [public].[items] WHERE "
            ), "values read as text")
        #expect(query.sql.contains("[name] COLLATE Latin1_General_CI_AS LIKE @p2 ESCAPE '\\'"))
        #expect(query.sql.contains("[active] = 1"))
        #expect(
            query.sql.hasSuffix(
                "ORDER BY CASE WHEN [public].[items].[price] IS NULL THEN 1 ELSE 0 END, [public].[items].[price] DESC OFFSET 10 ROWS FETCH NEXT 50 ROWS ONLY"
            ))
        let keyed = try compiler(.tsql).select(ReadRequest(limit: 5), maxRows: nil)
        #expect(keyed.sql.hasSuffix("ORDER BY [id] OFFSET 0 ROWS FETCH NEXT 5 ROWS ONLY"), "pages follow the primary key")
    }

    @Test func namesOutsideTheServedColumnsAre42703AndNeverSQL() throws {
        for flavor in [SQLFlavor.postgresql(PostgresDialect()), .sqlite, .tsql] {
            for request in [
                ReadRequest(select: [.column(name: "secret", alias: nil, cast: nil)]),
                ReadRequest(filters: [.condition(Condition(column: "x\"; DROP TABLE items; --", operation: .compare(.eq, "1")))]),
                ReadRequest(order: [OrderTerm(column: "secret")]),
            ] {
                do {
                    _ = try compiler(flavor).select(request, maxRows: nil)
                    Issue.record("\(request) compiled")
                } catch let error as AutoAPIError {
                    #expect(error.status == 400 && error.code == "42703")
                }
            }
            let all = try compiler(flavor).select(ReadRequest(), maxRows: nil)
            #expect(all.columns.map(\.name) == ["id", "name", "price", "active"], "* is the served columns only")
        }
    }

    @Test func valuesTravelAsParametersOnly() throws {
        let hostile = "1'; DROP TABLE items; --\u{0}\u{202E}"
        let request = ReadRequest(filters: [
            .condition(Condition(column: "name", operation: .compare(.eq, hostile))),
            .condition(Condition(column: "name", operation: .isIn([hostile, "x"]))),
        ])
        for flavor in [SQLFlavor.postgresql(PostgresDialect()), .sqlite, .tsql] {
            let query = try compiler(flavor).select(request, maxRows: nil)
            #expect(!query.sql.contains("DROP") && query.binds == [hostile, hostile, "x"])
        }
    }

    @Test func engineSpecificOperators() throws {
        let match = ReadRequest(filters: [.condition(Condition(column: "name", operation: .match("^a", caseInsensitive: true)))])
        #expect(try compiler(.postgresql(PostgresDialect())).select(match, maxRows: nil).sql.contains(#""name" ~* $1::text"#))
        #expect(throws: AutoAPIError.self) { try compiler(.sqlite).select(match, maxRows: nil) }
        #expect(throws: AutoAPIError.self) { try compiler(.tsql).select(match, maxRows: nil) }
        let empty = ReadRequest(filters: [.condition(Condition(column: "id", operation: .isIn([])))])
        #expect(try compiler(.postgresql(PostgresDialect())).select(empty, maxRows: nil).sql.hasSuffix("WHERE FALSE"))
        #expect(try compiler(.sqlite).select(empty, maxRows: nil).sql.hasSuffix("WHERE 1 = 0"))
        let distinct = ReadRequest(filters: [.condition(Condition(column: "price", operation: .isDistinct("5")))])
        #expect(try compiler(.tsql).select(distinct, maxRows: nil).sql.contains("NOT EXISTS (SELECT [price] INTERSECT SELECT "))
        #expect(SQLFlavor.glob("a%b_c*d\\%") == "a*b?c[*]d%")
        #expect(
            try compiler(.sqlite).select(
                ReadRequest(filters: [.condition(Condition(column: "active", operation: .compare(.eq, "true")))]),
                maxRows: nil
            ).binds == ["1"], "SQLite keeps booleans as 1 and 0")
    }
}
