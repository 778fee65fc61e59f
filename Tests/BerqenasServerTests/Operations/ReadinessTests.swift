import BerqenasPlatform
import BerqenasTestSupport
import FluentKit
import Foundation
import Testing
import Vapor
import VaporTesting

@testable import BerqenasServer

/// `/ready`: what an orchestrator asks before sending a server traffic.
struct ReadinessTests {
    @Test(arguments: HubEngine.available)
    func aRunningHubIsReadyAndAMissingMigrationIsNamed(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            // Ready once its loops have started (an orchestrator asks until it is).
            try await eventually("the hub becomes ready") { try await hub.send(.GET, "/ready").status == .ok }
            let ready = try await hub.send(.GET, "/ready")
            #expect(try ready.jsonObject()["status"] as? String == "ready", "\(ready.body.string)")

            // A server whose system database lacks the newest migration (another server's older copy
            // migrated it back, say) is not ready, and says which.
            let newest = try #require(SystemMigrations.all.last?.name)
            try await MigrationLog.query(on: hub.app.db).filter(\.$name == newest).delete()
            let behind = try await hub.send(.GET, "/ready")
            #expect(behind.status == .serviceUnavailable && behind.errorCode == "not_ready", "\(behind.body.string)")
            let details = try #require((try behind.jsonObject()["error"] as? [String: Any])?["details"] as? [String: String])
            #expect(details["migrations"]?.contains(newest) == true, "\(details)")
            #expect(try await hub.send(.GET, "/health").status == .ok, "alive all the same")
        }
    }

    @Test func aHubWhoseLoopsAreNotRunningIsNotReady() async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            var configuration = PlatformConfiguration(
                dataDirectory: TemporaryDirectory.make(), adminPassword: TestHub.adminPassword, bcryptCost: 4)
            configuration.vpn.backend = .none
            try await BerqenasServer.configure(app, configuration: configuration)
            try await app.asyncBoot()
            let answer = try await app.testing().performTest(
                request: TestingHTTPRequest(method: .GET, url: "/ready", headers: [:], body: ByteBuffer()))
            #expect(answer.status == .serviceUnavailable, "\(answer.body.string)")
            #expect(answer.body.string.contains("loops"))
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
