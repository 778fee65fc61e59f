import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// `test()`: facts on success, a typed failure a user can act on otherwise.
@Suite struct ConnectionTestTests {
    @Test func aClosedPortIsUnreachableWithinTheConnectTimeout() async throws {
        let port = try FreePort.reserveAndRelease()
        let connector = try PostgresConnector(
            spec: ConnectionSpec(
                engine: .postgresql, host: "127.0.0.1", port: port, database: "x", username: "x", tls: .disable, connectTimeout: 2
            ))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ConnectorError.self) { try await connector.test() }
        #expect(error?.code == .unreachable)
        #expect(clock.now - started < .seconds(2.5))
        await connector.close()
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
    func successReportsVersionLatencyAndCapabilities() async throws {
        try await PostgresFixture.with { fixture in
            let result = try await fixture.connector.test()
            #expect(result.serverVersion.hasPrefix("15"))
            #expect(result.latencyMilliseconds > 0)
            #expect(result.capabilities.canCreateTriggers)
            #expect(result.capabilities.logicalReplication == true)
        }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
    func wrongPasswordAndMissingDatabaseAreTyped() async throws {
        let url = try #require(PostgresTestCluster.adminURL)
        var spec = try PostgresTestCluster.connectionSpec(url)
        spec.password = "not-the-password"
        let wrong = try PostgresConnector(spec: spec)
        let authError = await #expect(throws: ConnectorError.self) { try await wrong.test() }
        #expect(authError?.code == .authFailed)
        await wrong.close()

        var missing = try PostgresTestCluster.connectionSpec(url)
        missing.database = "no_such_database"
        let absent = try PostgresConnector(spec: missing)
        let missingError = await #expect(throws: ConnectorError.self) { try await absent.test() }
        #expect(missingError?.code == .databaseNotFound)
        await absent.close()
    }

    @Test func sqliteReportsItsVersion() async throws {
        try await SQLiteFixture.with { connector in
            let result = try await connector.test()
            #expect(result.serverVersion.hasPrefix("SQLite 3."))
            #expect(result.capabilities.canCreateTriggers)
        }
    }
}
