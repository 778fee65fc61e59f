import Testing

@testable import DatabaseConnectors

/// The one place per dialect where names and text are quoted into SQL: a quote inside is doubled, nothing
/// else is touched (backslashes are plain characters in every standard-conforming dialect used here).
struct DialectQuotingTests {
    static let awkward = #"it's a "name" [x] \ ünï"#

    @Test func postgreSQLQuotesNamesAndLiterals() {
        let dialect = PostgresDialect()
        #expect(dialect.quote(Self.awkward) == #""it's a ""name"" [x] \ ünï""#)
        #expect(dialect.literal(Self.awkward) == #"'it''s a "name" [x] \ ünï'"#)
    }

    @Test func sqliteQuotesNamesAndLiterals() {
        let dialect = SQLiteDialect()
        #expect(dialect.quote(Self.awkward) == #""it's a ""name"" [x] \ ünï""#)
        #expect(dialect.literal(Self.awkward) == #"'it''s a "name" [x] \ ünï'"#)
    }

    @Test func tsqlQuotesNamesLiteralsAndNestedSQL() {
        let dialect = TSQLDialect()
        #expect(dialect.quote(Self.awkward) == #"[it's a "name" [x]] \ ünï]"#)
        #expect(dialect.literal(Self.awkward) == #"N'it''s a "name" [x] \ ünï'"#)
        // A qualified name nested in EXEC(N'…') keeps its brackets and doubles its quotes once more.
        let nested = dialect.literalBody(dialect.qualified(TableRef(schema: "o'k", name: "t")))
        #expect(nested == "[o''k].[t]")
        #expect(TSQLCapture.enableChangeTracking(TableRef(schema: "o'k", name: "t"))[1].contains("EXEC(N'ALTER TABLE [o''k].[t] ENABLE"))
    }

    @Test func textWithoutQuotesIsReturnedAsItIs() {
        #expect("plain_name".doublingEvery("'") == "plain_name")
        #expect("''".doublingEvery("'") == "''''")
    }
}
