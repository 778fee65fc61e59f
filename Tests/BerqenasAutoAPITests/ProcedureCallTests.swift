import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasAutoAPI

/// SQL Server stored procedures at `/rpc/{name}`. No SQL Server runs here: the catalog rows below have the shapes
/// `TSQLProcedures`' queries return, every batch is parsed by sqlglot, and `callsRunOnARealServer` runs them when
/// `BERQENAS_TEST_MSSQL_URL` offers a server.
@Suite(.blockingWork) struct ProcedureCallTests {
    /// procedure, parameter, type, max_length, precision, scale, is_output, is_table_type.
    static let parameterRows: [[String?]] = [
        ["bulk_load", "@rows", "LineList", "-1", "0", "0", "0", "1"],
        ["hidden", "@rows", "int", "4", "10", "0", "1", "0"],
        ["lines_of", "@order_id", "int", "4", "10", "0", "0", "0"],
        ["lines_of", "@min_price", "decimal", "9", "10", "2", "0", "0"],
        ["ping", nil, nil, nil, nil, nil, nil, nil],
        ["place_order", "@customer", "int", "4", "10", "0", "0", "0"],
        ["place_order", "@note", "ntext", "16", "0", "0", "0", "0"],
        ["place_order", "@order_id", "int", "4", "10", "0", "1", "0"],
        ["stamps", nil, nil, nil, nil, nil, nil, nil],
        ["temp_report", nil, nil, nil, nil, nil, nil, nil],
        ["twice", nil, nil, nil, nil, nil, nil, nil],
        ["unnamed", nil, nil, nil, nil, nil, nil, nil],
    ]

    /// procedure, column, type, max_length, precision, scale, is_nullable, collation, error_number.
    static let resultRows: [[String?]] = [
        ["hidden", "x", "int", "4", "10", "0", "1", nil, nil],
        ["lines_of", "line", "int", "4", "10", "0", "0", nil, nil],
        ["lines_of", "item", "nvarchar", "80", "0", "0", "1", "Latin1_General_CI_AS", nil],
        ["lines_of", "price", "decimal", "9", "10", "2", "1", nil, nil],
        ["place_order", "line", "int", "4", "10", "0", "0", nil, nil],
        ["place_order", "item", "nvarchar", "80", "0", "0", "1", "Latin1_General_CI_AS", nil],
        ["stamps", "version", "timestamp", "8", "0", "0", "0", nil, nil],
        ["temp_report", nil, nil, nil, nil, nil, nil, nil, "11526"],
        ["twice", "a", "int", "4", "10", "0", "1", nil, nil],
        ["twice", "A", "int", "4", "10", "0", "1", nil, nil],
        ["unnamed", nil, "int", "4", "10", "0", "1", nil, nil],
    ]

    static let described = TSQLProcedures.describe(schema: "dbo", parameterRows: parameterRows, resultRows: resultRows)

    static func procedure(_ name: String) throws -> FunctionSchema {
        guard let found = described.served.first(where: { $0.name == name }) else { throw FunctionCallTests.Failure("\(name) is served") }
        return found
    }

    @Test func theCatalogSaysWhichProceduresAreServedAndWhyOthersAreNot() throws {
        #expect(Self.described.served.map(\.name) == ["lines_of", "ping", "place_order", "stamps"])
        #expect(
            Self.described.skipped.mapValues { $0.components(separatedBy: " ").prefix(4).joined(separator: " ") } == [
                "bulk_load": "it takes a table-valued",
                "hidden": "its output parameter 'rows'",
                "temp_report": "SQL Server cannot describe",
                "twice": "its first result set",
                "unnamed": "a column of its",
            ])
        let order = try Self.procedure("place_order")
        #expect(order.parameters.map(\.name) == ["customer", "note", "order_id"], "names without their @")
        #expect(order.parameters.map(\.nativeType) == ["int", "nvarchar(max)", "int"], "no variable can be ntext")
        #expect(order.outputs == ["order_id"] && order.volatile && order.defaults == 3 && order.required.isEmpty)
        guard case let .rows(columns) = try Self.procedure("lines_of").result else { throw FunctionCallTests.Failure("lines_of returns rows") }
        #expect(columns.map(\.nativeType) == ["int", "nvarchar(40)", "decimal(10,2)"])
        #expect(
            columns.map(\.canonicalType) == [
                .integer(bits: 32), .text(length: 40, fixed: false, collation: "Latin1_General_CI_AS"), .decimal(precision: 10, scale: 2),
            ])
        #expect(try Self.procedure("ping").result == .void)
        guard case let .rows(stamps) = try Self.procedure("stamps").result else { throw FunctionCallTests.Failure("stamps returns rows") }
        #expect(stamps.map(\.nativeType) == ["binary(8)"], "a table variable cannot take a second row version")
    }

    @Test func rowsAreCollectedThenFilteredOrderedPagedAndCountedInOneBatch() throws {
        let request = try RequestParser.read([
            (name: "select", value: "item,price"), (name: "price", value: "gt.5"), (name: "order", value: "price.desc"), (name: "limit", value: "2"),
        ])
        let call = try FunctionCall.compile(
            try Self.procedure("lines_of"), arguments: .named(["order_id": "7", "min_price": nil]), request: request, flavor: .tsql, maxRows: 100,
            countWithin: true)
        #expect(call.shape == .rows && call.countsItself && call.volatile)
        #expect(call.query.binds == ["7", nil, "5"], "the arguments first, then the filters' values")
        let lines = call.query.sql.components(separatedBy: "\n")
        #expect(
            Array(lines.prefix(6)) == [
                "SET NOCOUNT ON;",
                "SET XACT_ABORT ON;",
                "DECLARE @bq_a1 int = CONVERT(int, @p1);",
                "DECLARE @bq_a2 decimal(10,2) = CONVERT(decimal(10,2), @p2);",
                "DECLARE @bq_rows TABLE ([bq_ord] int IDENTITY(1, 1) PRIMARY KEY, [line] int NULL, [item] nvarchar(40) COLLATE Latin1_General_CI_AS NULL, [price] decimal(10,2) NULL);",
                "INSERT INTO @bq_rows ([line], [item], [price]) EXEC [dbo].[lines_of] @order_id = @bq_a1, @min_price = @bq_a2;",
            ], "\(call.query.sql)")
        #expect(lines.count == 7)
        let select = lines.last ?? ""
        #expect(select.contains("FROM @bq_rows AS [bq_call] WHERE"), "\(select)")
        #expect(select.contains("@p3"), "the filter's value is the third parameter: \(select)")
        #expect(
            select.contains("COUNT(*) OVER ()")
                && select.hasSuffix("ORDER BY [bq_call].[price] DESC, [bq_call].[bq_ord] OFFSET 0 ROWS FETCH NEXT 2 ROWS ONLY;"),
            "ties keep the procedure's order, so pages are stable: \(select)")
        #expect(
            call.resultSets == [call.query.columns.map(\.value)] && call.query.columns.map(\.name) == ["item", "price", QueryCompiler.totalColumn])

        // Without an order, the rows keep the order the procedure sent them in.
        let plain = try FunctionCall.compile(
            try Self.procedure("lines_of"), arguments: .named([:]), request: ReadRequest(), flavor: .tsql, maxRows: nil)
        #expect(plain.query.sql.hasSuffix(" FROM @bq_rows AS [bq_call] ORDER BY [bq_call].[bq_ord];"), "\(plain.query.sql)")
        #expect(plain.query.sql.contains("EXEC [dbo].[lines_of];"), "parameters left out take their defaults")
        try TSQLCheck.expectParsed([["name": "rows", "sql": call.query.sql], ["name": "plain", "sql": plain.query.sql]])
    }

    @Test func outputParametersAnswerAsAnObjectWithTheRows() throws {
        let order = try Self.procedure("place_order")
        let call = try FunctionCall.compile(order, arguments: .named(["customer": "5"]), request: ReadRequest(), flavor: .tsql, maxRows: 100)
        #expect(call.shape == .outputs)
        let lines = call.query.sql.components(separatedBy: "\n")
        try #require(lines.count == 8, "\(call.query.sql)")
        #expect(lines[2] == "DECLARE @bq_a1 int = CONVERT(int, @p1);")
        #expect(lines[3] == "DECLARE @bq_a2 int;", "an output parameter not given starts as NULL")
        #expect(lines[5] == "INSERT INTO @bq_rows ([line], [item]) EXEC [dbo].[place_order] @customer = @bq_a1, @order_id = @bq_a2 OUTPUT;")
        #expect(lines[7].hasPrefix("SELECT ") && lines[7].hasSuffix(" AS [order_id];") && lines[7].contains("@bq_a2"), "\(lines[7])")
        #expect(call.resultSets?.count == 2 && call.outputColumns.map(\.name) == ["order_id"])
        let answer = call.outputsObject(Row([.integer(42)]), rows: [Row([.integer(1), .text("Pen")]), Row([.integer(2), .null])])
        #expect(String(decoding: answer, as: UTF8.self) == #"{"order_id":42,"rows":[{"line":1,"item":"Pen"},{"line":2,"item":null}]}"#)
        #expect(String(decoding: call.outputsObject(nil, rows: []), as: UTF8.self) == #"{"order_id":null,"rows":[]}"#)

        let filtered = try RequestParser.read([(name: "line", value: "eq.1")])
        let refused = #expect(throws: AutoAPIError.self) {
            try FunctionCall.compile(order, arguments: .named([:]), request: filtered, flavor: .tsql, maxRows: 100)
        }
        #expect(refused?.status == 400 && refused?.message.contains("output parameters") == true)

        let ping = try FunctionCall.compile(try Self.procedure("ping"), arguments: .named([:]), request: ReadRequest(), flavor: .tsql, maxRows: 100)
        #expect(ping.shape == .void && ping.resultSets == [] && ping.query.sql == "SET NOCOUNT ON;\nSET XACT_ABORT ON;\nEXEC [dbo].[ping];")
        let whole = #expect(throws: AutoAPIError.self, "params=single-object") {
            try FunctionCall.compile(order, arguments: .body("{}"), request: ReadRequest(), flavor: .tsql, maxRows: 100)
        }
        #expect(whole?.message.contains("by name") == true)
        try TSQLCheck.expectParsed([["name": "outputs", "sql": call.query.sql], ["name": "void", "sql": ping.query.sql]])
    }

    /// An attacker's argument values travel only as parameters, and a parameter name that would end the EXEC is
    /// never served (names cannot be quoted there); procedures' rows have no relationships to embed.
    @Test func argumentsNeverBecomeSQLText() throws {
        let hostile = "1; DROP TABLE orders;--"
        let call = try FunctionCall.compile(
            try Self.procedure("lines_of"), arguments: .named(["order_id": hostile]), request: ReadRequest(), flavor: .tsql, maxRows: 10)
        #expect(!call.query.sql.contains("DROP") && call.query.binds == [hostile])
        for name in ["a = 1; DROP TABLE t", "1st", "a b", "a]", "a'", ""] { #expect(!TSQLProcedures.isParameterName(name), "\(name)") }
        for name in ["order_id", "Größe", "a$b", "_x"] { #expect(TSQLProcedures.isParameterName(name), "\(name)") }
        let rows = TSQLProcedures.describe(
            schema: "dbo", parameterRows: [["evil", "@a = 1; DROP TABLE t --", "int", "4", "10", "0", "0", "0"]], resultRows: [])
        #expect(rows.served.isEmpty && rows.skipped["evil"]?.contains("cannot be passed") == true)

        let embed = try RequestParser.read([(name: "select", value: "item,orders(*)")])
        let refused = #expect(throws: AutoAPIError.self) {
            try FunctionCall.compile(try Self.procedure("lines_of"), arguments: .named([:]), request: embed, flavor: .tsql, maxRows: 10)
        }
        #expect(refused?.code == "PGRST200")
    }

    /// The whole path on a real SQL Server: introspection, a call with an output parameter and rows, `tx=rollback`,
    /// a procedure's own error as P0001 with what it wrote before undone.
    @Test(.enabled(if: SQLServerTestServer.url != nil, "set BERQENAS_TEST_MSSQL_URL to run against a real SQL Server"))
    func callsRunOnARealServer() async throws {
        let connector = SQLServerConnector(spec: try SQLServerTestServer.spec())
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let (table, place, fail) = ("bq_lines_\(suffix)", "bq_place_\(suffix)", "bq_fail_\(suffix)")
        let drops = ["DROP PROCEDURE [dbo].[\(place)]", "DROP PROCEDURE [dbo].[\(fail)]", "DROP TABLE [dbo].[\(table)]"].map {
            BoundStatement(sql: $0, binds: [])
        }
        try await closing(connector) {
            _ = try await connector.write(
                [
                    "CREATE TABLE [dbo].[\(table)] (line int IDENTITY PRIMARY KEY, item nvarchar(40) NOT NULL)",
                    """
                    CREATE PROCEDURE [dbo].[\(place)] @item nvarchar(40), @copies int = 2, @made int OUTPUT AS BEGIN
                    SET NOCOUNT ON; DECLARE @n int = 0;
                    WHILE @n < @copies BEGIN INSERT INTO [dbo].[\(table)] (item) VALUES (@item); SET @n += 1; END;
                    SET @made = @copies; SELECT line, item FROM [dbo].[\(table)] ORDER BY line DESC; END
                    """,
                    // Writes, then raises and goes on: the call must still fail and undo the write.
                    "CREATE PROCEDURE [dbo].[\(fail)] AS BEGIN INSERT INTO [dbo].[\(table)] (item) VALUES (N'half'); "
                        + "RAISERROR('out of stock', 16, 1); SELECT 1 AS done; END",
                ].map { BoundStatement(sql: $0, binds: []) }, returning: [])
            do {
                try await Self.callThrough(connector, table: table, place: place, fail: fail)
            } catch {
                _ = try? await connector.write(drops, returning: [])
                throw error
            }
            _ = try await connector.write(drops, returning: [])
        }
    }

    private static func callThrough(_ connector: SQLServerConnector, table: String, place: String, fail: String) async throws {
        let served = try await connector.describeFunctions(schema: "dbo")
        guard let procedure = served.first(where: { $0.name == place }) else { throw FunctionCallTests.Failure("\(place) is served") }
        #expect(procedure.outputs == ["made"])
        let call = try FunctionCall.compile(procedure, arguments: .named(["item": "Pen"]), request: ReadRequest(), flavor: .tsql, maxRows: 10)
        let results = try await connector.callProcedure(call.query.sql, binds: call.query.binds, results: call.resultSets ?? [], rollback: false)
        #expect(results.count == 2)
        #expect(results.last?.first?.values == [.integer(2)], "the output parameter")
        #expect(results.first?.map(\.values) == [[.integer(2), .text("Pen")], [.integer(1), .text("Pen")]], "in the procedure's order")
        _ = try await connector.callProcedure(call.query.sql, binds: call.query.binds, results: call.resultSets ?? [], rollback: true)
        let count = try await connector.select(
            "SELECT CONVERT(nvarchar(20), COUNT(*)) FROM [dbo].[\(table)]", binds: [],
            columns: [ColumnSchema(name: "n", nativeType: "int", canonicalType: .integer(bits: 32))])
        #expect(count.first?.values == [.integer(2)], "the rolled-back call left nothing")
        guard let failing = served.first(where: { $0.name == fail }) else { throw FunctionCallTests.Failure("\(fail) is served") }
        let raise = try FunctionCall.compile(failing, arguments: .named([:]), request: ReadRequest(), flavor: .tsql, maxRows: 10)
        let error = await #expect(throws: ConnectorError.self) {
            try await connector.callProcedure(raise.query.sql, binds: raise.query.binds, results: raise.resultSets ?? [], rollback: false)
        }
        #expect(error?.source?.state == "P0001" && error?.source?.message == "out of stock")
        let after = try await connector.select(
            "SELECT CONVERT(nvarchar(20), COUNT(*)) FROM [dbo].[\(table)]", binds: [],
            columns: [ColumnSchema(name: "n", nativeType: "int", canonicalType: .integer(bits: 32))])
        #expect(after.first?.values == [.integer(2)], "the failed call's write was undone")
    }
}
