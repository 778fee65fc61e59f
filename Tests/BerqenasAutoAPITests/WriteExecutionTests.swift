import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// Compiled writes run through the real connectors (PostgreSQL, SQLite): inserts, bulk inserts, upserts,
/// missing=default, updates and deletes report the rows they changed, constraint failures come back by
/// kind, and a failed statement leaves nothing behind. T-SQL writes are parsed by sqlglot.
struct WriteExecutionTests {
    /// A connector over a fresh `items` table, and its compiler.
    func withItems(_ engine: TestSource, _ body: (any DatabaseConnector, QueryCompiler) async throws -> Void) async throws {
        let ddl =
            engine == .postgresql
            ? "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL UNIQUE, price numeric(16,2), active boolean DEFAULT true)"
            : "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price NUMERIC(16,2), active BOOLEAN DEFAULT 1)"
        try await engine.with([ddl], compiling: ["items"]) { connector, compilers in try await body(connector, compilers["items"]!) }
    }

    func run(_ connector: any DatabaseConnector, _ plan: WritePlan) async throws -> String {
        let rows = try await connector.write(plan.statements, returning: plan.columns.map(\.value))
        return String(decoding: JSONRows.render(rows, columns: plan.columns), as: UTF8.self)
    }

    func all(_ connector: any DatabaseConnector, _ compiler: QueryCompiler) async throws -> String {
        let query = try compiler.select(
            ReadRequest(
                select: [
                    .column(name: "id", alias: nil, cast: nil), .column(name: "name", alias: nil, cast: nil),
                    .column(name: "active", alias: nil, cast: nil),
                ],
                order: [OrderTerm(column: "id")]), maxRows: nil)
        let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
        return String(decoding: JSONRows.render(rows, columns: query.columns), as: UTF8.self)
    }

    static let everything: [SelectItem] = [.all]
    static let idAndName: [SelectItem] = [.column(name: "id", alias: nil, cast: nil), .column(name: "name", alias: nil, cast: nil)]

    @Test(arguments: TestSource.available)
    func insertsBulkInsertsAndUpserts(_ engine: TestSource) async throws {
        try await withItems(engine) { connector, compiler in
            let one = try JSONValue.parse(Array(#"{"id": 1, "name": "Pen", "price": 12345678901234.56, "active": false}"#.utf8))
            let inserted = try await run(connector, try compiler.insert([one], options: InsertOptions(), returning: Self.everything))
            #expect(inserted == #"[{"id":1,"name":"Pen","price":12345678901234.56,"active":false}]"#, "exact digits, never a Double")

            let bulk = try JSONValue.parse(Array(#"[{"id": 2, "name": "Book", "price": "7.10", "active": true}, {"id": 3, "name": "Cup"}]"#.utf8))
            let two = try await run(connector, try compiler.insert(bulk.arrayItems, options: InsertOptions(), returning: Self.idAndName))
            #expect(two == #"[{"id":2,"name":"Book"},{"id":3,"name":"Cup"}]"#)
            #expect(
                try await all(connector, compiler).contains(#"{"id":3,"name":"Cup","active":null}"#),
                "a key another row has is NULL where missing, without missing=default")

            let defaults = try JSONValue.parse(Array(#"[{"id": 4, "name": "Desk", "active": false}, {"id": 5, "name": "Lamp"}]"#.utf8))
            _ = try await run(
                connector, try compiler.insert(defaults.arrayItems, options: InsertOptions(missingDefault: true), returning: Self.idAndName))
            let afterDefaults = try await all(connector, compiler)
            #expect(
                afterDefaults.contains(#"{"id":4,"name":"Desk","active":false}"#) && afterDefaults.contains(#"{"id":5,"name":"Lamp","active":true}"#),
                "missing=default: the column default")

            do {
                _ = try await run(connector, try compiler.insert([one], options: InsertOptions(), returning: Self.idAndName))
                Issue.record("a duplicate key must fail")
            } catch let error as ConnectorError {
                #expect(error.code == .uniqueViolation)
            }
            let clash = try JSONValue.parse(Array(#"[{"id": 6, "name": "Mug"}, {"id": 7, "name": "Mug"}]"#.utf8))
            await #expect(throws: ConnectorError.self) {
                _ = try await run(connector, try compiler.insert(clash.arrayItems, options: InsertOptions(), returning: Self.idAndName))
            }
            #expect(!(try await all(connector, compiler)).contains("Mug"), "a failed bulk insert leaves no row")
            let nameless = try JSONValue.parse(Array(#"{"id": 8, "name": null}"#.utf8))
            do {
                _ = try await run(connector, try compiler.insert([nameless], options: InsertOptions(), returning: Self.idAndName))
                Issue.record("NOT NULL must hold")
            } catch let error as ConnectorError {
                #expect(error.code == .notNullViolation)
            }

            let upserts = try JSONValue.parse(Array(#"[{"id": 1, "name": "Fountain pen"}, {"id": 9, "name": "Ink"}]"#.utf8))
            let merged = try await run(
                connector, try compiler.insert(upserts.arrayItems, options: InsertOptions(resolution: .mergeDuplicates), returning: Self.idAndName))
            #expect(merged == #"[{"id":1,"name":"Fountain pen"},{"id":9,"name":"Ink"}]"#)
            let again = try JSONValue.parse(Array(#"[{"id": 1, "name": "Quill"}, {"id": 10, "name": "Paper"}]"#.utf8))
            let ignored = try await run(
                connector, try compiler.insert(again.arrayItems, options: InsertOptions(resolution: .ignoreDuplicates), returning: Self.idAndName))
            #expect(ignored == #"[{"id":10,"name":"Paper"}]"#, "ignore-duplicates reports only the new row")
            let byName = try JSONValue.parse(Array(#"{"id": 11, "name": "Ink", "price": 2}"#.utf8))
            let onName = try await run(
                connector,
                try compiler.insert(
                    [byName], options: InsertOptions(onConflict: ["name"], resolution: .mergeDuplicates),
                    returning: Self.everything))
            #expect(onName.hasPrefix(#"[{"id":11,"name":"Ink","price":2"#), "on_conflict=name matches the unique name: \(onName)")
        }
    }

    @Test(arguments: TestSource.available)
    func updatesAndDeletesTheFilteredRows(_ engine: TestSource) async throws {
        try await withItems(engine) { connector, compiler in
            let rows = try JSONValue.parse(
                Array(#"[{"id":1,"name":"a","price":1},{"id":2,"name":"b","price":5},{"id":3,"name":"c","price":9}]"#.utf8))
            _ = try await run(connector, try compiler.insert(rows.arrayItems, options: InsertOptions(), returning: Self.idAndName))
            let cheap = try RequestParser.read([(name: "price", value: "lt.6")]).filters
            let changed = try await run(
                connector,
                try compiler.update(
                    try JSONValue.parse(Array(#"{"active": false}"#.utf8)), filters: cheap,
                    returning: [.column(name: "id", alias: nil, cast: nil), .column(name: "active", alias: "on", cast: nil)]))
            #expect(changed == #"[{"id":1,"on":false},{"id":2,"on":false}]"#)
            let tricky = try RequestParser.read([(name: "name", value: "eq.x' OR 1=1 --")]).filters
            #expect(try await run(connector, try compiler.delete(filters: tricky, returning: Self.idAndName)) == "[]")
            let gone = try await run(
                connector,
                try compiler.delete(
                    filters: try RequestParser.read([(name: "active", value: "is.false")]).filters,
                    returning: Self.idAndName))
            #expect(gone == #"[{"id":1,"name":"a"},{"id":2,"name":"b"}]"#)
            #expect(try await all(connector, compiler) == #"[{"id":3,"name":"c","active":true}]"#)
            #expect(throws: AutoAPIError.self) {
                try compiler.update(try JSONValue.parse(Array(#"{"secret": 1}"#.utf8)), filters: [], returning: Self.idAndName)
            }
            #expect(throws: AutoAPIError.self) {
                try compiler.insert([try JSONValue.parse(Array(#"{"id": "one"}"#.utf8))], options: InsertOptions(), returning: Self.idAndName)
            }
        }
    }

    @Test(.blockingWork) func tsqlWritesParseWithSqlglot() throws {
        let compiler = QueryCompiler(flavor: .tsql, table: CompiledQueryExecutionTests.table(schema: "dbo"))
        let rows = try JSONValue.parse(Array(#"[{"id": 1, "name": "a", "price": "1.50"}, {"id": 2, "name": "b"}]"#.utf8)).arrayItems
        let filters = try RequestParser.read([(name: "price", value: "lt.6"), (name: "name", value: "like.a*")]).filters
        let plans = [
            try compiler.insert(rows, options: InsertOptions(), returning: Self.everything),
            try compiler.insert(rows, options: InsertOptions(resolution: .mergeDuplicates), returning: Self.idAndName),
            try compiler.insert(rows, options: InsertOptions(resolution: .ignoreDuplicates, missingDefault: true), returning: Self.idAndName),
            try compiler.insert([.object([])], options: InsertOptions(), returning: Self.idAndName),
            try compiler.update(.object([("active", .bool(false))]), filters: filters, returning: Self.everything),
            try compiler.delete(filters: filters, returning: Self.idAndName),
        ]
        let statements = plans.enumerated().flatMap { index, plan in
            plan.statements.enumerated().map { ["name": "write\(index).\($0.offset)", "sql": $0.element.sql] }
        }
        #expect(statements.count == 7, "missing=default splits the rows by the keys they carry")
        #expect(
            try compiler.insert([.object([]), .object([]), .object([])], options: InsertOptions(), returning: Self.idAndName).statements.count == 3,
            "each row of defaults is a statement of its own")
        try TSQLCheck.expectParsed(statements)
    }
}

extension JSONValue {
    var arrayItems: [JSONValue] {
        if case let .array(items) = self { return items }
        return [self]
    }
}
