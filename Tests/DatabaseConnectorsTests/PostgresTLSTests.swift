import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// The TLS modes against the test cluster, which offers TLS with a self-signed certificate and lets the
/// role `tls_only` in over TLS only (`scripts/pg-cluster.sh`).
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresTLSTests {
    func spec(_ mode: ConnectionSpec.TLSMode, host: String = "127.0.0.1") throws -> ConnectionSpec {
        var spec = try PostgresTestCluster.connectionSpec(try #require(PostgresTestCluster.adminURL))
        spec.tls = mode
        spec.host = host
        return spec
    }

    func test(_ spec: ConnectionSpec) async throws -> ConnectionTestResult {
        let connector = try PostgresConnector(spec: spec)
        do {
            let result = try await connector.test()
            await connector.close()
            return result
        } catch {
            await connector.close()
            throw error
        }
    }

    @Test func eachModeGetsTheSessionItAsksFor() async throws {
        #expect(try await test(spec(.disable)).encrypted == false)
        #expect(try await test(spec(.prefer)).encrypted == true)
        #expect(try await test(spec(.require)).encrypted == true)
    }

    @Test func verifyFullRefusesAnUntrustedCertificate() async throws {
        let error = await #expect(throws: ConnectorError.self) { try await test(spec(.verifyFull, host: "localhost")) }
        #expect(error?.code == .tlsUntrusted, "\(String(describing: error))")
        #expect(error?.message.contains("localhost") == true)
    }

    @Test func aServerThatDemandsTLSAnswersTLSRequired() async throws {
        let password = UUID().uuidString
        try await PostgresTestCluster.withConnection(try #require(PostgresTestCluster.adminURL)) { connection in
            try await connection.query(
                """
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tls_only') THEN CREATE ROLE tls_only LOGIN; END IF;
                END $$
                """, logger: .init(label: "tests"))
            try await connection.query(.init(unsafeSQL: "ALTER ROLE tls_only PASSWORD '\(password)'"), logger: .init(label: "tests"))
        }
        var plain = try spec(.disable)
        plain.username = "tls_only"
        plain.password = password
        let error = await #expect(throws: ConnectorError.self) { try await test(plain) }
        #expect(error?.code == .tlsRequired, "\(String(describing: error))")

        var secure = plain
        secure.tls = .require
        #expect(try await test(secure).encrypted == true)
    }
}
