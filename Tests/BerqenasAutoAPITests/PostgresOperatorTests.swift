import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// PostgreSQL's array, range, JSON-containment and full-text operators on a real database, and the clear
/// 400 the other engines give for them.
struct PostgresOperatorTests {
    /// (query items, the ids they must return).
    static let cases: [([(String, String)], [Int])] = [
        ([("tags", "cs.{red,blue}")], [1]),
        ([("tags", "cd.{red,blue,green}")], [1, 2, 3]),
        ([("tags", "cd.{red,blue}")], [1]),
        ([("tags", "ov.{green,black}")], [2, 3]),
        ([("tags", "not.ov.{green}")], [1]),
        ([("span", "cs.[5,5]")], [1]),
        ([("span", "ov.[8,12)")], [1, 2]),
        ([("span", "sl.[20,30)")], [1, 2]),
        ([("span", "sr.[0,5)")], [2, 3]),
        ([("span", "adj.[10,11)")], [1]),
        ([("span", "nxr.[0,15)")], [1]),
        ([("span", "nxl.[9,10)")], [2, 3]),
        ([("doc", #"cs.{"kind":"book"}"#)], [2]),
        ([("body", "fts.cat & dog")], [1]),
        ([("body", "fts(english).running")], [3]),
        ([("body", "plfts.quick fox")], [2]),
        ([("body", "phfts(english).lazy dogs")], [3]),
        ([("body", "wfts.cat -dog")], [2]),
        ([("or", "(tags.cs.{red},body.fts.fox)")], [1, 2]),
    ]

    @Test(.enabled(if: PostgresTestCluster.shouldRun))
    func operatorsSelectTheExpectedRows() async throws {
        let setup = [
            "CREATE TABLE docs (id integer PRIMARY KEY, tags text[], span int4range, doc jsonb, body text)",
            """
            INSERT INTO docs VALUES
              (1, '{red,blue}', '[1,10)', '{"kind":"pen"}', 'the cat and the dog'),
              (2, '{blue,green}', '[10,20)', '{"kind":"book","year":1999}', 'a quick brown fox, no cat'),
              (3, '{green}', '[30,40)', '{"kind":"cup"}', 'running over lazy dogs')
            """,
        ]
        try await TestSource.postgresql.with(setup, compiling: ["docs"]) { connector, compilers in
            let compiler = compilers["docs"]!
            for (items, expected) in Self.cases {
                var request = try RequestParser.read(items.map { (name: $0.0, value: $0.1) })
                request.select = [.column(name: "id", alias: nil, cast: nil)]
                request.order = [OrderTerm(column: "id")]
                let query = try compiler.select(request, maxRows: nil)
                let rows = try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
                #expect(rows.map(\.values) == expected.map { [.integer(Int64($0))] }, "\(items): \(query.sql)")
            }
        }
    }

    @Test func otherEnginesRefuseThemClearly() throws {
        let table = CompiledQueryExecutionTests.table(schema: "main")
        for flavor in [SQLFlavor.sqlite, .tsql] {
            for filter in ["cs.{a}", "fts.cat", "adj.[1,2)"] {
                do {
                    _ = try QueryCompiler(flavor: flavor, table: table).select(try RequestParser.read([(name: "name", value: filter)]), maxRows: nil)
                    Issue.record("\(filter) must be refused off PostgreSQL")
                } catch let error as AutoAPIError {
                    #expect(error.status == 400 && error.message.contains("PostgreSQL"), "\(error)")
                }
            }
        }
        #expect(throws: AutoAPIError.self) { try RequestParser.read([(name: "body", value: "fts(english;drop).cat")]) }
    }
}
