import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import SQLiteNIO
import Testing

@testable import BerqenasAutoAPI

/// The compiled SQL run for real: the same requests against the same rows in PostgreSQL and SQLite must
/// return the same keys, and T-SQL output must parse (sqlglot, as SQL Server cannot run here).
struct CompiledQueryExecutionTests {
    /// (query string, the ids it must return, in order).
    static let cases: [([(String, String)], [Int])] = [
        ([("price", "gte.10"), ("order", "id")], [2, 3, 5]),
        ([("name", "ilike.A*"), ("order", "id.desc")], [4, 1]),
        ([("name", "like.A*"), ("order", "id")], [1]),
        ([("or", "(price.lt.5,and(active.is.false,name.eq.\"O'Brien, Pat\"))"), ("order", "id")], [1, 3]),
        ([("id", "not.in.(1,2,3)"), ("order", "id")], [4, 5]),
        ([("price", "is.null")], [4]),
        ([("price", "isdistinct.12.50"), ("order", "id")], [1, 3, 4, 5]),
        ([("order", "price.desc.nullslast,id"), ("limit", "2"), ("offset", "1")], [5, 2]),
        ([("order", "price.asc.nullsfirst"), ("limit", "1")], [4]),
        ([("active", "eq.true"), ("order", "id")], [1, 2, 4]),
        ([("name", "eq.x'; DROP TABLE items; --")], []),
        ([("id", "in.()")], []),
        // Operator modifiers: the operator with each listed value, any or all of them holding.
        ([("id", "eq(any).{1,3,9}"), ("order", "id")], [1, 3]),
        ([("name", "like(any).{A*,*b}"), ("order", "id")], [1, 2]),
        ([("name", "ilike(all).{a*,*s}"), ("order", "id")], [4]),
        ([("price", "gt(all).{5,10}"), ("order", "id")], [2, 3, 5]),
        ([("id", "not.eq(any).{1,2}"), ("order", "id")], [3, 4, 5]),
        ([("name", #"eq(any).{"O'Brien, Pat",Eve}"#), ("order", "id")], [3, 5]),
        ([("id", "eq(any).{}")], []),
        ([("id", "lte(all).{}"), ("order", "id")], [1, 2, 3, 4, 5]),
        ([("or", "(id.eq(any).{1,2},name.eq.Eve)"), ("order", "id")], [1, 2, 5]),
    ]

    static let rows: [(Int, String, String?, Bool)] = [
        (1, "Anna", "3.00", true), (2, "bob", "12.50", true), (3, "O'Brien, Pat", "99.99", false), (4, "anders", nil, true),
        (5, "Eve", "15.00", false),
    ]

    static func table(schema: String) -> TableSchema {
        TableSchema(
            table: TableRef(schema: schema, name: "items"), kind: .table,
            columns: [
                ColumnSchema(name: "id", nativeType: "integer", canonicalType: .integer(bits: 32), nullable: false),
                ColumnSchema(name: "name", nativeType: "text", canonicalType: .text(length: nil, fixed: false, collation: nil)),
                ColumnSchema(name: "price", nativeType: "numeric(12,2)", canonicalType: .decimal(precision: 12, scale: 2)),
                ColumnSchema(name: "active", nativeType: "boolean", canonicalType: .boolean),
            ], primaryKey: ["id"])
    }

    @Test func sqliteReturnsTheExpectedRows() async throws {
        let connection = try await SQLiteConnection.open(storage: .memory)
        defer { Task { try? await connection.close() } }
        _ = try await connection.query("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price NUMERIC(12,2), active BOOLEAN)")
        for (id, name, price, active) in Self.rows {
            _ = try await connection.query(
                "INSERT INTO items VALUES (?, ?, ?, ?)",
                [.integer(id), .text(name), price.map { .float(Double($0)!) } ?? .null, .integer(active ? 1 : 0)])
        }
        let compiler = QueryCompiler(flavor: .sqlite, table: Self.table(schema: "main"))
        for (items, expected) in Self.cases {
            let query = try compiler.select(try RequestParser.read(items.map { (name: $0.0, value: $0.1) }), maxRows: nil)
            let rows = try await connection.query(query.sql, query.binds.map { $0.map(SQLiteData.text) ?? .null })
            #expect(rows.compactMap { $0.column("id")?.integer } == expected, "\(items): \(query.sql)")
        }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun))
    func postgreSQLReturnsTheExpectedRows() async throws {
        let url = try await PostgresTestCluster.makeDatabase(prefix: "autoapi")
        try await PostgresTestCluster.withConnection(url) { connection in
            let logger = Logger(label: "test")
            try await connection.query("CREATE TABLE items (id integer PRIMARY KEY, name text, price numeric(12,2), active boolean)", logger: logger)
            for (id, name, price, active) in Self.rows {
                try await connection.query("INSERT INTO items VALUES (\(id), \(name), \(price)::numeric, \(active))", logger: logger)
            }
            let compiler = QueryCompiler(flavor: .postgresql(PostgresDialect()), table: Self.table(schema: "public"))
            for (items, expected) in Self.cases {
                let query = try compiler.select(try RequestParser.read(items.map { (name: $0.0, value: $0.1) }), maxRows: nil)
                var bindings = PostgresBindings()
                for value in query.binds {
                    if let value { bindings.append(value) } else { bindings.appendNull() }
                }
                let rows = try await connection.query(PostgresQuery(unsafeSQL: query.sql, binds: bindings), logger: logger)
                var ids: [Int] = []
                for try await row in rows { ids.append(try row.makeRandomAccess()["id"].decode(Int.self, context: .default)) }
                #expect(ids == expected, "\(items): \(query.sql)")
            }
        }
    }

    @Test(.blockingWork) func tsqlOutputParsesWithSqlglot() throws {
        let compiler = QueryCompiler(flavor: .tsql, table: Self.table(schema: "dbo"))
        var statements: [[String: String]] = []
        for (index, (items, _)) in Self.cases.enumerated() {
            let request = try RequestParser.read(items.map { (name: $0.0, value: $0.1) })
            statements.append(["name": "case\(index)", "sql": try compiler.select(request, maxRows: 100).sql])
            statements.append(["name": "count\(index)", "sql": try compiler.count(request).sql])
        }
        try TSQLCheck.expectParsed(statements)
    }
}
