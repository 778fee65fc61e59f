import BerqenasPlatform
import BerqenasTestSupport
import Foundation
import Testing
import Vapor

@testable import BerqenasServer

/// `BERQENAS_ROLES`: one hub split across servers sharing a PostgreSQL system database.
struct ServerRoleTests {
    @Test func rolesAreReadAsAListAndASplitNeedsPostgreSQL() throws {
        let all = try PlatformConfiguration.fromEnvironment([:])
        #expect(all.roles == Set(ServerRole.allCases))
        let two = try PlatformConfiguration.fromEnvironment(["BERQENAS_ROLES": " api , Worker"])
        #expect(two.roles == [.api, .worker])
        #expect(throws: PlatformError.self) { try PlatformConfiguration.fromEnvironment(["BERQENAS_ROLES": "api,scheduler"]) }
        #expect(throws: PlatformError.self) { try PlatformConfiguration.fromEnvironment(["BERQENAS_ROLES": "api,"]) }
        // The embedded SQLite default is one server: a split is refused at start, saying why.
        do {
            try two.validate()
            Issue.record("a split on SQLite was accepted")
        } catch let error as PlatformError {
            #expect(error.message.contains("BERQENAS_DATABASE_URL"), "\(error.message)")
        }
        var shared = two
        shared.databaseURL = "postgres://hub@db/berqenas"
        try shared.validate()
    }

    @Test func aWorkerServerRunsTheWorkersLoopsAndAnswersOnlyHealthReadyAndMetrics() async throws {
        guard PostgresTestCluster.shouldRun else { return }
        try await TestHub.run(.postgresql(url: try await PostgresTestCluster.makeDatabase()), adjust: { $0.roles = [.worker] }) { hub in
            try await eventually("the worker server becomes ready") { try await hub.send(.GET, "/ready").status == .ok }
            let expected = Set(hub.app.berqenas.loops.expected)
            #expect(expected.isSuperset(of: ["sync-worker", "continuous-sync", "alert-monitor", "alert-dispatcher", "event-retention"]))
            #expect(expected.isDisjoint(with: ["vpn-reconciler", "connected-users", "api-pools"]), "\(expected)")
            #expect(try await hub.send(.GET, "/health").status == .ok)
            for path in ["/api/v1/auth/login", "/api/v1/tenants", "/", "/rest/v1/acme/api/items", "/api/v1/realtime"] {
                let refused = try await hub.send(.GET, path)
                #expect(refused.status == .notFound && refused.errorCode == "not_an_api_server", "\(path): \(refused.body.string)")
            }
        }
    }

    @Test func anAPIServerNeverTouchesWireGuardAndRunsNoWorkerLoop() async throws {
        guard PostgresTestCluster.shouldRun else { return }
        try await TestHub.run(
            .postgresql(url: try await PostgresTestCluster.makeDatabase()),
            adjust: {
                $0.roles = [.api]
                $0.vpn.backend = .wireguardGo  // asked for, but only a gateway applies anything
            }
        ) { hub in
            #expect(hub.app.berqenas.platform.vpn.backend == .none)
            let expected = Set(hub.app.berqenas.loops.expected)
            #expect(expected.isDisjoint(with: ["sync-worker", "continuous-sync", "alert-dispatcher", "vpn-reconciler"]), "\(expected)")
            let token = try await hub.token()
            #expect(try await hub.send(.GET, "/api/v1/tenants", token: token).status == .ok)
        }
    }
}
