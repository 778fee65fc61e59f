import BerqenasTestSupport
import Foundation
import Logging
import PostgresNIO
import SQLiteNIO
import Testing

@testable import DatabaseConnectors

/// One engine the shared connector suites run on: PostgreSQL (the test script's cluster), SQLite (a
/// temporary file) and, when `BERQENAS_TEST_MSSQL_URL` is set, a real SQL Server.
enum EngineUnderTest: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case postgresql, sqlite, sqlServer

    var testDescription: String { rawValue }

    /// `mssql://user:password@host:port/database`, when a real SQL Server is offered.
    static let sqlServerURL = SQLServerTestServer.url

    /// The engines this run can reach (PostgreSQL is demanded by `scripts/test.sh`).
    static let available: [EngineUnderTest] = allCases.filter { engine in
        switch engine {
        case .postgresql: PostgresTestCluster.shouldRun
        case .sqlite: true
        case .sqlServer: sqlServerURL != nil
        }
    }

    static func sqlServerSpec() throws -> ConnectionSpec { try SQLServerTestServer.spec() }

    /// Runs `body` with a connector, an empty table name of its own and an independent writer, then cleans up.
    func withSite(_ body: (EngineSite) async throws -> Void) async throws {
        let name = "orders_\(UUID().uuidString.prefix(8).lowercased())"
        switch self {
        case .postgresql:
            try await PostgresFixture.with { fixture in
                try await PostgresTestCluster.withConnection(fixture.url) { writer in
                    let site = EngineSite(engine: self, connector: fixture.connector, table: TableRef(schema: "public", name: name)) { sql in
                        _ = try await writer.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "tests"))
                    }
                    try await body(site)
                }
            }
        case .sqlite:
            let file = TemporaryDirectory.make().appendingPathComponent("site.sqlite").path
            let writer = try await SQLiteConnection.open(storage: .file(path: file))
            let connector = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: file))
            let site = EngineSite(engine: self, connector: connector, table: TableRef(schema: "main", name: name)) { sql in
                _ = try await writer.query(sql, [])
            }
            try await cleanUp(site, after: { try await body(site) }, finally: { try await writer.close() })
        case .sqlServer:
            let spec = try Self.sqlServerSpec()
            let writer = try await FreeTDSSession.open(spec)
            let site = EngineSite(engine: self, connector: SQLServerConnector(spec: spec), table: TableRef(schema: "dbo", name: name)) { sql in
                _ = try await writer.query(sql)
            }
            try await cleanUp(
                site,
                after: {
                    try await body(site)
                    try await site.connector.uninstallCapture(on: site.table)
                    try await site.write("DROP TABLE IF EXISTS \(site.qualified)")
                }, finally: { await writer.close() })
        }
    }

    private func cleanUp(_ site: EngineSite, after body: () async throws -> Void, finally close: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await site.connector.close()
            try? await close()
            throw error
        }
        await site.connector.close()
        try await close()
    }
}

/// What a shared test needs of an engine: its connector, a table name, and a second client that writes
/// like an application would (outside the connector, without an origin).
struct EngineSite: Sendable {
    let engine: EngineUnderTest
    let connector: any DatabaseConnector
    let table: TableRef
    let execute: @Sendable (String) async throws -> Void

    init(engine: EngineUnderTest, connector: any DatabaseConnector, table: TableRef, execute: @escaping @Sendable (String) async throws -> Void) {
        self.engine = engine
        self.connector = connector
        self.table = table
        self.execute = execute
    }

    /// The table's name, quoted the way all three engines accept (`"schema"."name"`; SQL Server under
    /// QUOTED_IDENTIFIER, FreeTDS's default).
    var qualified: String { "\"\(table.schema)\".\"\(table.name)\"" }

    /// Runs statements through the independent writer, in order.
    func write(_ statements: String...) async throws {
        for statement in statements { try await execute(statement) }
    }

    /// `ALTER TABLE … ADD [COLUMN] name type` in the engine's spelling.
    func addColumn(_ name: String, _ type: String) -> String {
        engine == .sqlServer ? "ALTER TABLE \(qualified) ADD \(name) \(type)" : "ALTER TABLE \(qualified) ADD COLUMN \(name) \(type)"
    }
}
