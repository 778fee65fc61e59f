import BerqenasPlatform
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasServer

/// The panel's figures follow what happens: jobs and the rows they moved, failures by hour, generated-API
/// requests, remote databases; each caller sees the scope they may read.
struct DashboardTests {
    @Test(arguments: HubEngine.available)
    func figuresFollowJobsRowsFailuresAndRequests(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let hub = fixture.hub
            let path = "/api/v1/dashboard/stats?tenant=\(fixture.tenant)"
            let before = try await hub.send(.GET, path, token: fixture.token).jsonObject()
            #expect(before["remote_databases"] as? [String: Int] == ["up": 1, "total": 1], "\(before)")
            #expect((before["hourly"] as? [[String: Any]])?.count == 24)

            try await fixture.sync("full")
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(9), .integer(1), .decimal("1.00"), .text("cloud only")]))])
            try await fixture.sync("verify", tables: ["orders"], expect: "failed")
            let api = try await hub.send(
                .POST, "/api/v1/tenants/\(fixture.tenant)/apis", token: fixture.token,
                json: ["name": "shop", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "public_read"])
            #expect(api.status == .created, "\(api.body.string)")
            for _ in 0..<3 { #expect(try await hub.send(.GET, "/rest/v1/\(fixture.tenant)/shop/customers?limit=1").status == .ok) }

            let after = try await hub.send(.GET, path, token: fixture.token).jsonObject()
            let jobs = try #require(after["sync_jobs_24h"] as? [String: Int])
            #expect(jobs["succeeded"] == 1 && jobs["failed"] == 1 && jobs["queued"] == 0 && jobs["running"] == 0, "\(jobs)")
            #expect(after["rows_synced_24h"] as? [String: Int] == ["local_to_cloud": 250, "cloud_to_local": 0])
            #expect(after["apis"] as? Int == 1 && after["api_requests_last_hour"] as? Int == 3, "\(after)")
            // The jobs ran in this hour or, when the clock turned the hour meanwhile, in the one before: every row and
            // the failure are in the last two buckets, none earlier.
            let hours = try #require(after["hourly"] as? [[String: Any]])
            let recent = hours.suffix(2)
            let rows = recent.map { $0["rows_synced"] as? Int ?? -1 }.reduce(0, +)
            let failed = recent.map { $0["jobs_failed"] as? Int ?? -1 }.reduce(0, +)
            #expect(rows == 250 && failed == 1, "\(Array(recent))")
            #expect(hours.dropLast(2).allSatisfy { $0["rows_synced"] as? Int == 0 })

            // Written, not just counted in memory: the request counts survive a flush.
            await hub.app.berqenas.platform.dashboard.counters.flush()
            let flushed = try await hub.send(.GET, path, token: fixture.token).jsonObject()
            #expect(flushed["api_requests_last_hour"] as? Int == 3)

            let platform = try await hub.send(.GET, "/api/v1/dashboard/stats", token: fixture.token).jsonObject()
            #expect(platform["tenant"] is NSNull && ((platform["tenants"] as? [String: Int])?["active"] ?? 0) >= 1)

            let viewer = try await hub.createUser("dash_\(fixture.tenant)", role: "tenant_viewer", tenant: fixture.tenant, token: fixture.token)
            let own = try await hub.send(.GET, "/api/v1/dashboard/stats", token: viewer).jsonObject()
            #expect(own["tenant"] as? String == fixture.tenant && own["tenants"] is NSNull)
            let other = "dashother_" + UUID().uuidString.prefix(6).lowercased()
            try await hub.createTenant(other, adminToken: fixture.token)
            #expect(try await hub.send(.GET, "/api/v1/dashboard/stats?tenant=\(other)", token: viewer).status == .forbidden)
        }
    }
}
