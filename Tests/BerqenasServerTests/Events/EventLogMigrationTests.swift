import BerqenasPlatform
import BerqenasTestSupport
import FluentKit
import Foundation
import SQLKit
import Testing

@testable import BerqenasServer

/// A hub upgraded from the first event table keeps its events, their numbers and their tenant, and numbers
/// new events after them.
struct EventLogMigrationTests {
    @Test(arguments: HubEngine.available)
    func anUpgradedHubKeepsItsEventsAndNumbersOnFromThem(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let token = try await hub.token()
            let name = "upgraded_" + UUID().uuidString.prefix(6).lowercased()
            try await hub.createTenant(name, adminToken: token)
            let database = hub.app.db
            let sql = try #require(database as? any SQLDatabase)
            let tenant = try #require(try await Tenant.query(on: database).filter(\.$name == name).first())
            // Back to the earlier shape, holding one event as an earlier version wrote it.
            try await CreateEventLog().revert(on: database)
            try await sql.raw(
                """
                INSERT INTO events (id, tenant_id, kind, subject, message, occurred_at)
                VALUES (41, \(bind: try tenant.requireID()), 'vpn.peer.revoked', 'vpn-peer:old', 'peer old was revoked', \(bind: Date()))
                """
            ).run()
            try await CreateEventLog().prepare(on: database)

            let page = try await hub.send(.GET, "/api/v1/tenants/\(name)/events", token: token).jsonObject()
            let kept = try #require((page["items"] as? [[String: Any]])?.first)
            #expect(kept["id"] as? Int == 41 && kept["kind"] as? String == "vpn.peer.revoked" && kept["tenant"] as? String == name, "\(kept)")
            #expect((kept["data"] as? [String: Any])?.isEmpty == true)
            let next = try await hub.app.berqenas.platform.events.record(.hubStarted, tenant: nil, subject: "test", message: "after the upgrade")
            #expect(next > 41)
        }
    }
}
