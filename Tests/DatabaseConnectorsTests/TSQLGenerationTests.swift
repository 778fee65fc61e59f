import BerqenasTestSupport
import Foundation
import Testing

@testable import DatabaseConnectors

/// Every T-SQL statement the SQL Server connector can produce, parsed by an independent parser (sqlglot,
/// T-SQL dialect, pinned in e2e/requirements.txt).
@Suite struct TSQLGenerationTests {
    static let table = TableSchema(
        table: TableRef(schema: "sales", name: "order]lines"),
        columns: [
            .init(name: "store_id", nativeType: "int", canonicalType: .integer(bits: 32), nullable: false),
            .init(name: "line", nativeType: "bigint", canonicalType: .integer(bits: 64), nullable: false, isIdentity: true),
            .init(name: "amount", nativeType: "decimal(38,10)", canonicalType: .decimal(precision: 38, scale: 10)),
            .init(name: "price", nativeType: "money", canonicalType: .money),
            .init(name: "ratio", nativeType: "float", canonicalType: .float(bits: 64)),
            .init(name: "paid", nativeType: "bit", canonicalType: .boolean),
            .init(name: "note", nativeType: "nvarchar(max)", canonicalType: .text(length: nil, fixed: false, collation: nil)),
            .init(name: "code", nativeType: "nchar(4)", canonicalType: .text(length: 4, fixed: true, collation: nil)),
            .init(name: "blob", nativeType: "varbinary(max)", canonicalType: .binary(length: nil, fixed: false)),
            .init(name: "id", nativeType: "uniqueidentifier", canonicalType: .uuid),
            .init(name: "day", nativeType: "date", canonicalType: .date),
            .init(name: "at", nativeType: "time(7)", canonicalType: .time(precision: 7, withZone: false)),
            .init(name: "created", nativeType: "datetime2(7)", canonicalType: .timestamp(precision: 7, withZone: false)),
            .init(name: "legacy", nativeType: "datetime", canonicalType: .timestamp(precision: 3, withZone: false)),
            .init(name: "stamp", nativeType: "datetimeoffset(7)", canonicalType: .timestamp(precision: 7, withZone: true)),
            .init(name: "doc", nativeType: "xml", canonicalType: .xml),
            .init(name: "shape", nativeType: "geometry", canonicalType: .geometry(geography: false)),
            .init(name: "place", nativeType: "geography", canonicalType: .geometry(geography: true)),
            .init(name: "node", nativeType: "hierarchyid", canonicalType: .hierarchyID),
            .init(name: "version", nativeType: "timestamp", canonicalType: .rowVersion, isGenerated: true),
            .init(name: "odd", nativeType: "sql_variant", canonicalType: .unknown(native: "sql_variant")),
        ],
        primaryKey: ["store_id", "line"]
    )

    static var statements: [(String, String)] {
        let dialect = TSQLDialect()
        var all: [(String, String)] = [
            ("createTable", dialect.createTableSQL(table)),
            ("keysetFirst", dialect.keysetSelectSQL(table, afterKey: false, limit: 500)),
            ("keysetAfter", dialect.keysetSelectSQL(table, afterKey: true, limit: 500)),
            ("selectByKeys", dialect.selectByKeysSQL(table, rowCount: 3)),
            ("merge", dialect.mergeSQL(table, rowCount: 3)),
            ("delete", dialect.deleteSQL(table, rowCount: 3)),
            ("setOrigin", dialect.setOriginSQL),
            ("identityOn", dialect.identityInsertSQL(table.table, on: true)),
            ("readLog", TSQLCapture.readLog(limit: 100)),
            ("prune", TSQLCapture.prune),
            ("recordCapture", TSQLCapture.recordCapture),
            ("capturedTable", TSQLCapture.capturedTable),
            ("forgetCapture", TSQLCapture.forgetCapture),
            ("pendingCount", TSQLCapture.pendingCount),
            ("discardOrigin", TSQLCapture.discardOrigin),
            ("keysetRange", dialect.keysetSelectSQL(table, afterKey: true, upToKey: true, limit: 10)),
            ("ensureSchema", TSQLDialect().ensureSchemaSQL("sales")),
            ("dropTrigger", TSQLCapture.dropTrigger(table.table)),
            ("disableChangeTracking", TSQLCapture.disableChangeTracking(table.table)),
            ("minimumValidVersion", TSQLCapture.minimumValidVersion(table.table)),
            ("readChangeTable", TSQLCapture.readChangeTable(table)),
            ("mergeWithContext", TSQLCapture.withContext(dialect.mergeSQL(table, rowCount: 1))),
            ("userDefinedType", "SELECT " + dialect.write(1, hostileTypeColumn)),
            ("deleteWithContext", TSQLCapture.withContext(dialect.deleteSQL(table, rowCount: 1))),
            ("keysAtLeast", dialect.keysAtLeastSQL(table, column: table.columns[2])),
            ("largest", dialect.largestSQL(table, column: table.columns[2])),
        ]
        all += TSQLCapture.setup.enumerated().map { ("captureSetup\($0.offset)", $0.element) }
        all += TSQLCapture.triggerBody(table).enumerated().map { ("triggerBody\($0.offset)", $0.element) }
        all += TSQLCapture.enableChangeTracking(table.table).enumerated().map { ("enableChangeTracking\($0.offset)", $0.element) }
        all += TSQLIntrospection.all.enumerated().map { ("introspection\($0.offset)", $0.element) }
        all += [("procedureParameters", TSQLProcedures.parametersSQL), ("procedureResults", TSQLProcedures.resultsSQL)]
        all += [("sessionSettings", FreeTDSSession.sessionSettings)]
        return all
    }

    @Test(.blockingWork) func everyGeneratedStatementParsesAsTSQL() throws {
        let report = try TSQLCheck.run(Self.statements.map { ["name": $0.0, "sql": $0.1] })
        if report.sqlglotMissing, ProcessInfo.processInfo.environment["BERQENAS_TEST_REQUIRE_POSTGRES"] != "1" {
            FileHandle.standardError.write(Data("WARNING: sqlglot is not installed: T-SQL syntax checks SKIPPED. Run scripts/test.sh.\n".utf8))
            return
        }
        #expect(report.status == 0, "\(report.text)")
        #expect(report.text.contains("\(Self.statements.count) of \(Self.statements.count) statements parsed"), "\(report.text)")
    }

    /// A column of a user-defined type whose name (read from `sys.types`) tries to end the CONVERT.
    static let hostileTypeColumn = ColumnSchema(
        name: "c", nativeType: SQLServerConnector.nativeSpelling("x) ; DROP TABLE t;--]", 0, 0, 0),
        canonicalType: .unknown(native: "x"))

    /// A conversion to a column's length would cut a longer value without a word, in a write or a filter: text is
    /// converted to a wider type (the widest that still seeks, or `max`), and the column refuses what it cannot hold.
    @Test func textIsNeverCutByItsConversion() {
        let dialect = TSQLDialect()
        let cases: [(String, Int?, String)] = [
            ("nchar(4)", 4, "nvarchar(4000)"), ("nvarchar(40)", 40, "nvarchar(4000)"), ("varchar(12)", 12, "varchar(8000)"),
            ("char(2)", 2, "varchar(8000)"), ("nvarchar(4000)", 4000, "nvarchar(max)"), ("varchar(8000)", 8000, "varchar(max)"),
            ("nvarchar(max)", nil, "nvarchar(max)"), ("ntext", nil, "nvarchar(max)"), ("text", nil, "varchar(max)"),
        ]
        for (native, length, expected) in cases {
            let column = ColumnSchema(name: "c", nativeType: native, canonicalType: .text(length: length, fixed: false, collation: nil))
            #expect(dialect.write(3, column) == "CONVERT(\(expected), @p3)", "\(native)")
        }
        let merge = dialect.mergeSQL(Self.table, rowCount: 1)
        #expect(merge.contains("CONVERT(nvarchar(4000), @p") && !merge.contains("CONVERT(nchar(4)"), "\(merge)")
    }

    @Test func userDefinedTypeNamesAreQuotedWhereTheyAreSpliced() {
        #expect(SQLServerConnector.nativeSpelling("x) ; DROP TABLE t;--]", 0, 0, 0) == "[x) ; DROP TABLE t;--]]]")
        #expect(SQLServerConnector.nativeSpelling("int", 4, 10, 0) == "int")
        #expect(TSQLDialect().write(1, Self.hostileTypeColumn) == "CONVERT([x) ; DROP TABLE t;--]]], @p1)")
    }

    @Test func theTriggerWrapsItsBodyAndNamesTheTable() {
        let trigger = TSQLCapture.createTrigger(Self.table)
        #expect(
            trigger.hasPrefix(
                "CREATE OR ALTER TRIGGER [sales].[berqenas_capture_sales_order]]lines] ON [sales].[order]]lines] AFTER INSERT, UPDATE, DELETE AS BEGIN "
            ))
        #expect(trigger.hasSuffix("; END"))
        for statement in TSQLCapture.triggerBody(Self.table) { #expect(trigger.contains(statement)) }
    }

    @Test func keysetConditionIsLexicographic() {
        let sql = TSQLDialect().keysetSelectSQL(Self.table, afterKey: true, limit: 10)
        #expect(
            sql.contains(
                "WHERE ((source.[store_id] > CONVERT(int, @p1)) OR (source.[store_id] = CONVERT(int, @p1) AND source.[line] > CONVERT(bigint, @p2)))")
        )
        #expect(sql.hasSuffix("ORDER BY source.[store_id], source.[line]"))
        // A range: after the first key, up to and including the second (bound after it).
        let range = TSQLDialect().keysetSelectSQL(Self.table, afterKey: true, upToKey: true, limit: 10)
        #expect(
            range.contains(
                " AND ((source.[store_id] < CONVERT(int, @p3)) OR (source.[store_id] = CONVERT(int, @p3) AND source.[line] < CONVERT(bigint, @p4))"
                    + " OR (source.[store_id] = CONVERT(int, @p3) AND source.[line] = CONVERT(bigint, @p4)))"), "\(range)")
    }

    @Test func valuesSurviveTheTextForms() throws {
        let cases: [(CanonicalValue, CanonicalType)] = [
            (.timestamp("2024-02-29 23:59:59.123456"), .timestamp(precision: 7, withZone: false)),
            (.timestampWithZone("2024-06-30 12:34:56.000001+05:30"), .timestamp(precision: 7, withZone: true)),
            (.binary([0, 1, 254, 255]), .binary(length: nil, fixed: false)),
            (.boolean(true), .boolean),
            (.decimal("-12345678901234567890.1234567890"), .decimal(precision: 38, scale: 10)),
            (.array([.integer(1), .null]), .array(of: .integer(bits: 32))),
        ]
        for (value, type) in cases {
            let text = SQLServerValueCodec.encode(value)
            // What SQL Server hands back for style 126 has a T; the codec turns it back.
            #expect(try SQLServerValueCodec.decode(text, as: type) == value, "\(value)")
        }
        #expect(SQLServerValueCodec.microseconds("2024-01-02 03:04:05.1234567+01:00") == "2024-01-02 03:04:05.123456+01:00")
        #expect(
            try SQLServerValueCodec.decode("2024-01-02T03:04:05.1234567Z", as: .timestamp(precision: 7, withZone: true))
                == .timestampWithZone("2024-01-02 03:04:05.123456+00:00"))
    }
}
