import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// Embedding through foreign keys on real PostgreSQL and SQLite databases: to-many as arrays (empty when
/// nothing relates), to-one as an object or null, nested levels, aliases, and clear errors.
struct EmbeddingTests {
    static let schema = [
        "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)",
        "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers (id), total numeric(10,2))",
        "CREATE TABLE order_lines (order_id integer REFERENCES orders (id), line integer, qty integer, PRIMARY KEY (order_id, line))",
        "CREATE TABLE notes (id integer PRIMARY KEY, body text)",
        "INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bo'), (3, 'Cy')",
        "INSERT INTO orders VALUES (10, 1, 5.50), (11, 1, 7.25), (12, 2, 1.00), (13, NULL, 2.00)",
        "INSERT INTO order_lines VALUES (10, 1, 3), (10, 2, 4), (12, 1, 9)",
    ]

    func withReader(_ engine: TestSource, _ body: (EmbeddingReader) async throws -> Void) async throws {
        try await engine.with(Self.schema, compiling: ["customers", "orders", "order_lines", "notes"]) { connector, compilers in
            try await body(EmbeddingReader.over(connector, compilers))
        }
    }

    func json(_ reader: EmbeddingReader, _ table: String, _ items: [(String, String)]) async throws -> String {
        try await reader.json(table, items)
    }

    @Test(arguments: TestSource.available)
    func embedsFollowForeignKeysBothWays(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            let (fiveFifty, one) = engine == .postgresql ? ("5.50", "1.00") : ("5.5", "1")
            let customers = try await json(reader, "customers", [("select", "id,name,orders(id,total)"), ("order", "id")])
            #expect(
                customers == #"[{"id":1,"name":"Ann","orders":[{"id":10,"total":"# + fiveFifty + #"},{"id":11,"total":7.25}]},"#
                    + #"{"id":2,"name":"Bo","orders":[{"id":12,"total":"# + one + #"}]},{"id":3,"name":"Cy","orders":[]}]"#)
            #expect(
                try await json(reader, "orders", [("select", "id,buyer:customers(name)"), ("order", "id")])
                    == #"[{"id":10,"buyer":{"name":"Ann"}},{"id":11,"buyer":{"name":"Ann"}},{"id":12,"buyer":{"name":"Bo"}},{"id":13,"buyer":null}]"#)
            #expect(
                try await json(reader, "customers", [("select", "name,orders(id,order_lines(line,qty))"), ("id", "eq.1")])
                    == #"[{"name":"Ann","orders":[{"id":10,"order_lines":[{"line":1,"qty":3},{"line":2,"qty":4}]},{"id":11,"order_lines":[]}]}]"#)
            #expect(
                try await json(reader, "order_lines", [("select", "qty,orders(customers(name))"), ("qty", "gt.5")])
                    == #"[{"qty":9,"orders":{"customers":{"name":"Bo"}}}]"#)
            await #expect(throws: AutoAPIError.self) { _ = try await json(reader, "customers", [("select", "id,notes(*)")]) }
            await #expect(throws: AutoAPIError.self) { _ = try await json(reader, "customers", [("select", "id,secrets(*)")]) }
            await #expect(throws: AutoAPIError.self) { _ = try await json(reader, "customers", [("select", "id,orders(nope)")]) }
        }
    }

    @Test(arguments: TestSource.available)
    func embeddedFiltersAndOrderNarrowOnlyTheEmbeddedRows(_ engine: TestSource) async throws {
        try await withReader(engine) { reader in
            let customers = try await json(
                reader, "customers",
                [
                    ("select", "id,orders(id)"), ("orders.total", "gt.5"),
                    ("orders.order", "total.desc"), ("order", "id"),
                ])
            #expect(
                customers == #"[{"id":1,"orders":[{"id":11},{"id":10}]},{"id":2,"orders":[]},{"id":3,"orders":[]}]"#,
                "every customer stays; only the orders are filtered, in their own order")
            let orders = try await json(reader, "orders", [("select", "id,buyer:customers(name)"), ("buyer.name", "eq.Ann"), ("order", "id")])
            #expect(
                orders == #"[{"id":10,"buyer":{"name":"Ann"}},{"id":11,"buyer":{"name":"Ann"}},{"id":12,"buyer":null},{"id":13,"buyer":null}]"#,
                "a filtered-out to-one embed is null")
            let nested = try await json(
                reader, "customers",
                [
                    ("select", "name,orders(id,order_lines(line))"), ("id", "eq.1"),
                    ("orders.order_lines.or", "(qty.eq.4,qty.gt.8)"),
                ])
            #expect(nested == #"[{"name":"Ann","orders":[{"id":10,"order_lines":[{"line":2}]},{"id":11,"order_lines":[]}]}]"#)
            await #expect(throws: AutoAPIError.self, "an unknown column of the embedded table") {
                _ = try await json(reader, "customers", [("select", "id,orders(id)"), ("orders.nope", "eq.1")])
            }
        }
    }

    @Test(arguments: TestSource.available)
    func embeddedLevelsAreCappedWithAClearErrorNotCutShort(_ engine: TestSource) async throws {
        let lines = (1...25).map { "(10, \($0), 1)" }.joined(separator: ", ")
        try await engine.with(
            Self.schema + ["INSERT INTO order_lines VALUES \(lines.replacingOccurrences(of: "(10, 1, 1), (10, 2, 1), ", with: ""))"],
            compiling: ["customers", "orders", "order_lines"]
        ) { connector, compilers in
            func reader(_ maxRows: Int) -> EmbeddingReader { EmbeddingReader.over(connector, compilers, maxRows: maxRows) }
            let request = try RequestParser.read([(name: "select", value: "id,order_lines(line)"), (name: "id", value: "eq.10")])
            // Order 10 has 25 lines: within 10 x 3, beyond 10 x 2.
            let fits = try await reader(3).read(request, with: compilers["orders"]!)
            #expect(String(decoding: fits[0], as: UTF8.self).components(separatedBy: "\"line\"").count == 26)
            await #expect(
                throws: AutoAPIError(
                    status: 400, code: "embed_too_large", message: "'order_lines' would embed more than 20 rows",
                    hint: "narrow the outer rows (limit, filters) or the embedded ones (order_lines.column=…)")
            ) {
                _ = try await reader(2).read(request, with: compilers["orders"]!)
            }
            // A window per outer row is taken in the database: only its rows count.
            let windowed = try RequestParser.read([
                (name: "select", value: "id,order_lines(line)"), (name: "id", value: "eq.10"), (name: "order_lines.limit", value: "5"),
                (name: "order_lines.offset", value: "19"),
            ])
            let five = try await reader(2).read(windowed, with: compilers["orders"]!)
            #expect(
                String(decoding: five[0], as: UTF8.self) == #"{"id":10,"order_lines":[{"line":20},{"line":21},{"line":22},{"line":23},{"line":24}]}"#)
            // The attack: many outer rows share one related row holding many nested rows. The rows are read once,
            // but copied into every outer row: the bytes assembled are capped too.
            let shared = try RequestParser.read([(name: "select", value: "line,orders(id,order_lines(line))"), (name: "order_id", value: "eq.10")])
            let big = try await EmbeddingReader.over(connector, compilers, maxRows: 100).read(shared, with: compilers["order_lines"]!)
            #expect(big.count == 25, "25 lines, each embedding order 10 with its 25 lines")
            await #expect(throws: AutoAPIError.self, "the copies exceed the byte cap though the rows fit the row allowance") {
                _ = try await EmbeddingReader.over(connector, compilers, maxRows: 100, maxBytes: 5_000).read(shared, with: compilers["order_lines"]!)
            }
            // The allowance is the request's, not each embed's: two aliases of the same 25 rows exceed 30.
            let twice = try RequestParser.read([(name: "select", value: "id,a:order_lines(line),b:order_lines(line)"), (name: "id", value: "eq.10")])
            await #expect(throws: AutoAPIError.self) { _ = try await reader(3).read(twice, with: compilers["orders"]!) }
        }
    }

    @Test func aKeyThatCannotBeMatchedIsNoRelationship() async throws {
        // SQLite names no columns for a reference to a table without a primary key.
        let setup = [
            "CREATE TABLE loose (code TEXT)", "CREATE TABLE child (id INTEGER PRIMARY KEY, code TEXT REFERENCES loose)",
            "INSERT INTO loose VALUES ('a')", "INSERT INTO child VALUES (1, 'a')",
        ]
        try await TestSource.sqlite.with(setup, compiling: ["loose", "child"]) { connector, compilers in
            let reader = EmbeddingReader.over(connector, compilers, maxRows: 1000)
            do {
                _ = try await reader.read(try RequestParser.read([(name: "select", value: "*,child(*)")]), with: compilers["loose"]!)
                Issue.record("no usable relationship: PGRST200 expected")
            } catch let error as AutoAPIError {
                #expect(error.code == "PGRST200")
            }
        }
    }
}
