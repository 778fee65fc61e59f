import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// SQL Server through FreeTDS. No server can run on these machines: the connection failure is tested
/// here, and the integration suite below runs against a real server when `BERQENAS_TEST_MSSQL_URL`
/// (`mssql://user:password@host:port/database`) is set.
@Suite struct SQLServerConnectorTests {
    static let serverURL: String? = ProcessInfo.processInfo.environment["BERQENAS_TEST_MSSQL_URL"].flatMap { $0.isEmpty ? nil : $0 }

    @Test func aClosedPortIsUnreachableWithinTheConnectTimeout() async throws {
        let port = try FreePort.reserveAndRelease()
        let connector = SQLServerConnector(spec: ConnectionSpec(
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

    static func spec() throws -> ConnectionSpec {
        guard let url = serverURL, let components = URLComponents(string: url), let host = components.host else {
            throw TestSupportError("BERQENAS_TEST_MSSQL_URL is not a URL")
        }
        return ConnectionSpec(engine: .mssql, host: host, port: components.port ?? 1433,
                              database: String(components.path.dropFirst()), username: components.user ?? "sa",
                              password: components.password ?? "", tls: .require)
    }

    @Test(.enabled(if: serverURL != nil, "set BERQENAS_TEST_MSSQL_URL to run against a real SQL Server"))
    func valuesRoundTripAndChangesAreCaptured() async throws {
        let connector = SQLServerConnector(spec: try Self.spec())
        do {
            try await exercise(connector)
        } catch {
            await connector.close()
            throw error
        }
        await connector.close()
    }

    private func exercise(_ connector: SQLServerConnector) async throws {
        let name = "berqenas_test_\(UUID().uuidString.prefix(8).lowercased())"
        let source = TableSchema(
            table: TableRef(schema: "dbo", name: name),
            columns: [
                .init(name: "id", nativeType: "", canonicalType: .integer(bits: 32), nullable: false),
                .init(name: "amount", nativeType: "", canonicalType: .decimal(precision: 38, scale: 10)),
                .init(name: "note", nativeType: "", canonicalType: .text(length: nil, fixed: false, collation: nil)),
                .init(name: "blob", nativeType: "", canonicalType: .binary(length: nil, fixed: false)),
                .init(name: "at", nativeType: "", canonicalType: .timestamp(precision: 6, withZone: true)),
                .init(name: "id2", nativeType: "", canonicalType: .uuid),
            ],
            primaryKey: ["id"]
        )
        try await connector.createTable(source)
        let table = try await connector.describeTable(source.table)
        let rows = [
            Row([.integer(1), .decimal("9999999999999999999999999999.9999999999"), .text("emoji 🦄"), .binary([0, 255, 0]),
                 .timestampWithZone("2024-06-30 12:34:56.123456+05:30"), .uuid(UUID())]),
            Row([.integer(2), .null, .text(""), .binary([]), .null, .null]),
        ]
        try await connector.apply(rows.map(RowChange.upsert), to: table, origin: nil)
        #expect(try await readAll(connector, table) == rows)

        try await connector.installCapture(on: table.table, mode: .triggers)
        try await connector.apply([.upsert(Row([.integer(3), .null, .text("cloud"), .null, .null, .null]))], to: table, origin: "cloud")
        try await connector.apply([.delete(key: [.integer(2)])], to: table, origin: nil)
        let batch = try await connector.readChanges(of: [table], after: nil, excludingOrigin: "cloud", limit: 10)
        #expect(batch.changes.map(\.operation) == [.delete])
        try await connector.uninstallCapture(on: table.table)
    }
}
