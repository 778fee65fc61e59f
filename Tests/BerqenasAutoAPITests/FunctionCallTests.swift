import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// Functions at `/rpc/{name}`: introspected from a real PostgreSQL (parameters, defaults, results, volatility,
/// pseudo-types left out), the overload chosen by argument names, and the statement each result shape gets.
struct FunctionCallTests {
    static let setup = [
        "CREATE TABLE items (id integer PRIMARY KEY, name text, price numeric(8,2))",
        "INSERT INTO items VALUES (1, 'Pen', 3.50), (2, 'Book', 12.25), (3, 'Cup', 15.00)",
        "CREATE FUNCTION add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b'",
        "CREATE FUNCTION add(a numeric, c numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT a * c'",
        "CREATE FUNCTION under(max_price numeric) RETURNS SETOF items LANGUAGE sql STABLE AS 'SELECT * FROM items WHERE price <= max_price'",
        "CREATE FUNCTION pairs() RETURNS TABLE (k text, v integer) LANGUAGE sql AS 'SELECT ''a'', 1'",
        "CREATE FUNCTION tick() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "CREATE FUNCTION anything(x anyelement) RETURNS anyelement LANGUAGE sql AS 'SELECT x'",
    ]

    @Test(.enabled(if: PostgresTestCluster.shouldRun)) func introspectedFunctionsAreCalledByTheirArgumentNames() async throws {
        try await TestSource.postgresql.with(Self.setup) { connector, _ in
            let functions = try await connector.describeFunctions(schema: "public")
            #expect(functions.map(\.name) == ["add", "add", "pairs", "under"], "trigger and polymorphic functions are left out")
            let adds = functions.filter { $0.name == "add" }
            #expect(adds[0].defaults == 1 && !adds[0].volatile && adds[0].required.map(\.name) == ["a"])
            let pairs = functions.first { $0.name == "pairs" }!
            #expect(pairs.returnsSet && pairs.volatile)
            guard case let .rows(columns) = pairs.result else { throw Failure("pairs returns rows") }
            #expect(columns.map(\.name) == ["k", "v"])

            #expect(try FunctionCall.choose("add", among: adds, given: ["a"], wholeBody: false) == adds[0])
            #expect(try FunctionCall.choose("add", among: adds, given: ["a", "c"], wholeBody: false) == adds[1])
            #expect(throws: AutoAPIError.self, "b and c together fit no overload") {
                try FunctionCall.choose("add", among: adds, given: ["a", "b", "c"], wholeBody: false)
            }

            let flavor = SQLFlavor.postgresql(PostgresDialect())
            let scalar = try FunctionCall.compile(adds[0], arguments: .named(["a": "2"]), request: ReadRequest(), flavor: flavor, maxRows: 10)
            #expect(scalar.query.sql == #"SELECT "bq_call" AS "add" FROM "public"."add"("a" => $1::integer) AS "bq_call""#)
            #expect(scalar.shape == .scalar)
            let rows = try await connector.select(scalar.query.sql, binds: scalar.query.binds, columns: scalar.query.columns.map(\.value))
            #expect(rows.first?.values == [.integer(3)], "b's default")

            let under = functions.first { $0.name == "under" }!
            let request = try RequestParser.read([(name: "select", value: "name"), (name: "price", value: "gt.4"), (name: "order", value: "id.desc")])
            let set = try FunctionCall.compile(under, arguments: .named(["max_price": "13"]), request: request, flavor: flavor, maxRows: 10)
            #expect(
                set.query.sql
                    == #"SELECT "name"::text AS "name" FROM "public"."under"("max_price" => $1::numeric) AS "bq_call" WHERE "price" > $2::numeric(8,2) "#
                    + #"ORDER BY "bq_call"."id" DESC LIMIT 10"#)
            let found = try await connector.select(set.query.sql, binds: set.query.binds, columns: set.query.columns.map(\.value))
            #expect(found.map(\.values) == [[.text("Book")]])
            #expect(throws: AutoAPIError.self, "a value takes no filters") {
                try FunctionCall.compile(adds[0], arguments: .named(["a": "2"]), request: request, flavor: flavor, maxRows: 10)
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
