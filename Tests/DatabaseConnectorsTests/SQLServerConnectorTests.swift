import BerqenasTestSupport
import Foundation
import Testing

@testable import DatabaseConnectors

/// SQL Server through FreeTDS. No server can run on these machines: the connection failure is tested here
/// always; with `BERQENAS_TEST_MSSQL_URL` (`mssql://user:password@host:port/database`) set, the shared
/// connector suite (`CaptureConformanceTests`) and the change-tracking test below run against that server.
@Suite struct SQLServerConnectorTests {
    @Test func aClosedPortIsUnreachableWithinTheConnectTimeout() async throws {
        let port = try FreePort.reserveAndRelease()
        let connector = SQLServerConnector(
            spec: ConnectionSpec(
                engine: .mssql, host: "127.0.0.1", port: port, database: "master", username: "sa", password: "x",
                tls: .disable, connectTimeout: 2
            ))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ConnectorError.self) { try await connector.test() }
        #expect(error?.code == .unreachable, "\(String(describing: error))")
        #expect(clock.now - started < .seconds(3))
        await connector.close()
    }

    /// A DB-Library login's old defaults would cut a long `nvarchar(max)` value at TEXTSIZE and refuse writes to a
    /// table with a filtered index (error 1934): every session sets what ODBC sets. A value too long for its column
    /// is refused, not cut.
    @Test(.enabled(if: EngineUnderTest.sqlServerURL != nil, "set BERQENAS_TEST_MSSQL_URL to run against a real SQL Server"))
    func longValuesAndFilteredIndexesSurviveTheSessionDefaults() async throws {
        try await EngineUnderTest.sqlServer.withSite { site in
            try await site.write(
                "CREATE TABLE \(site.qualified) (id int PRIMARY KEY, body nvarchar(max), code int, label nvarchar(5))",
                "CREATE UNIQUE INDEX \(site.table.name)_code ON \(site.qualified) (code) WHERE code IS NOT NULL")
            let table = try await site.connector.describeTable(site.table)
            let body = String(repeating: "Berqenas ✓ ", count: 20_000)
            try await site.connector.apply([.upsert(Row([.integer(1), .text(body), .integer(7), .text("short")]))], to: table, origin: nil)
            // Too long for its column: refused whole, never cut.
            let refused = await #expect(throws: ConnectorError.self) {
                try await site.connector.apply([.upsert(Row([.integer(2), .text("x"), .null, .text("toolong")]))], to: table, origin: nil)
            }
            #expect(refused?.source?.state == "22001")
            let read = try await site.connector.readSnapshot(table, after: nil, limit: 10).rows
            #expect(read.map(\.values) == [[.integer(1), .text(body), .integer(7), .text("short")]], "220,000 characters, unchanged; nothing cut")
        }
    }

    /// DB-Library's own warnings (a character it could not convert) never fail a statement; the server's first
    /// error is the one reported, a lost connection before all.
    @Test func theServersFirstErrorIsTheOneReported() {
        FreeTDSDiagnostics.clear()
        FreeTDSDiagnostics.record(code: 2403, text: "some character(s) could not be converted", fromServer: false)
        #expect(!FreeTDSDiagnostics.serverReportedError())
        FreeTDSDiagnostics.record(code: 50000, text: "out of stock", fromServer: true)
        FreeTDSDiagnostics.record(code: 20018, text: "check messages from the server", fromServer: false)
        FreeTDSDiagnostics.record(code: 3930, text: "the transaction cannot be committed", fromServer: true)
        #expect(FreeTDSDiagnostics.serverReportedError())
        #expect(FreeTDSDiagnostics.primary()?.0 == 50000 && FreeTDSDiagnostics.primary()?.1 == "out of stock")
        FreeTDSDiagnostics.record(code: 20047, text: "connection lost", fromServer: false)
        #expect(FreeTDSDiagnostics.primary()?.0 == 20047)
        FreeTDSDiagnostics.clear()
        #expect(FreeTDSDiagnostics.primary() == nil && !FreeTDSDiagnostics.serverReportedError())
    }

    /// What SQL Server refuses while a call collects a procedure's rows is said plainly (0A000), without SQL
    /// Server's words; other failures pass unchanged.
    @Test func refusalsToCollectAProcedureAreSaidPlainly() {
        for code in [213, 8164, 3915, 556] {
            var error = ConnectorError(.queryFailed, "SQL Server \(code): words")
            error.serverCode = code
            let said = SQLServerConnector.collectingRefused(error)
            #expect(said?.source?.state == "0A000" && said?.source?.message.contains("the procedure") == true, "\(code)")
            #expect(said?.source?.message.contains("words") == false && said?.source?.detail == "SQL Server error \(code)")
        }
        var other = ConnectorError(.queryFailed, "SQL Server 207: invalid column")
        other.serverCode = 207
        #expect(SQLServerConnector.collectingRefused(other) == nil)
    }

    /// Change tracking (SQL Server's own capture mode): the net change per key since the cursor, with the
    /// current row as image and the apply session's context as origin.
    @Test(.enabled(if: EngineUnderTest.sqlServerURL != nil, "set BERQENAS_TEST_MSSQL_URL to run against a real SQL Server"))
    func changeTrackingReportsNetChangesAndOrigins() async throws {
        try await EngineUnderTest.sqlServer.withSite { site in
            try await site.write("CREATE TABLE \(site.qualified) (id int PRIMARY KEY, item nvarchar(100))")
            try await site.connector.installCapture(on: site.table, mode: .changeTracking)
            try await site.connector.installCapture(on: site.table, mode: .changeTracking)
            let table = try await site.connector.describeTable(site.table)
            try await site.write(
                "INSERT INTO \(site.qualified) VALUES (1, N'tea')", "UPDATE \(site.qualified) SET item = N'green tea' WHERE id = 1",
                "INSERT INTO \(site.qualified) VALUES (2, N'gone')", "DELETE FROM \(site.qualified) WHERE id = 2")
            try await site.connector.apply([.upsert(Row([.integer(3), .text("from cloud")]))], to: table, origin: "cloud")
            let batch = try await site.connector.readChanges(of: [table], after: nil, excludingOrigin: "cloud", limit: 10)
            let byKey = Dictionary(uniqueKeysWithValues: batch.changes.map { ($0.newRow?["id"] ?? $0.oldRow?["id"], $0) })
            #expect(byKey.count == 2, "one net change per key, the cloud's own change skipped")
            #expect(byKey[.integer(1)]?.newRow?["item"] == .text("green tea"))
            #expect(byKey[.integer(2)]?.operation == .delete)
            #expect(try await site.connector.captureStatus(of: site.table).installed)
        }
    }
}
