import BerqenasTestSupport
import Foundation
import Testing

/// The tenant event log through the API: numbered in order on both system databases, followed with
/// `after`, filtered by kind, kept per tenant.
struct EventLogTests {
    /// A deleted tenant's events were the newest in the log: the platform's `tenant.deleted` is still numbered
    /// after every event a follower saw (SQLite once gave it the number of the first deleted one).
    @Test(arguments: HubEngine.available)
    func aNumberIsNeverHandedOutTwice(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let token = try await hub.token()
            let tenant = "gone_" + UUID().uuidString.prefix(6).lowercased()
            try await hub.createTenant(tenant, adminToken: token)
            #expect(try await hub.send(.PUT, "/api/v1/tenants/\(tenant)/vpn", token: token, json: ["enabled": true]).status == .ok)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(tenant)", token: token).status == .ok)
            let log = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/events", token: token).jsonObject()
            let seen = try #require(log["last_id"] as? Int)
            #expect((log["items"] as? [[String: Any]])?.count ?? 0 >= 2, "the tenant's events are the newest")
            let deleted = try await hub.send(.DELETE, "/api/v1/tenants/\(tenant)?permanent=true", token: token)
            #expect(deleted.status == .noContent || deleted.status == .ok, "\(deleted.body.string)")
            let platform = try await hub.send(.GET, "/api/v1/events?kind=tenant.deleted", token: token).jsonObject()
            let event = try #require(
                (platform["items"] as? [[String: Any]])?.first { ($0["data"] as? [String: Any])?["tenant"] as? String == tenant })
            let number = try #require(event["id"] as? Int)
            #expect(number > seen, "tenant.deleted is \(number), after \(seen) was seen")
        }
    }

    @Test(arguments: HubEngine.available)
    func revocationsAreEventsFollowedInOrder(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let token = try await hub.token()
            let suffix = UUID().uuidString.prefix(6).lowercased()
            let tenant = "events_\(suffix)"
            let other = "quiet_\(suffix)"
            for name in [tenant, other] {
                try await hub.createTenant(name, adminToken: token)
                #expect(try await hub.send(.PUT, "/api/v1/tenants/\(name)/vpn", token: token, json: ["enabled": true]).status == .ok)
            }
            var ids: [String] = []
            for name in ["a", "b", "c"] {
                let peer = try await hub.send(.POST, "/api/v1/tenants/\(tenant)/vpn/peers", token: token, json: ["name": name]).jsonObject()
                let id = try #require(peer["id"] as? String)
                #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(tenant)/vpn/peers/\(id)", token: token).status == .noContent)
                ids.append(id)
            }
            let all = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/events?kind=vpn.", token: token).jsonObject()
            let items = try #require(all["items"] as? [[String: Any]])
            #expect(items.map { $0["subject"] as? String } == ids.map { "vpn-peer:\($0)" }, "in the order they happened")
            #expect(items.allSatisfy { $0["kind"] as? String == "vpn.peer.revoked" })
            let numbers = items.compactMap { $0["id"] as? Int }
            #expect(numbers == numbers.sorted() && Set(numbers).count == 3 && all["last_id"] as? Int == numbers.last)

            let rest = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/events?kind=vpn.&after=\(numbers[0])&limit=1", token: token).jsonObject()
            #expect((rest["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [numbers[1]])
            // Backwards: the newest two below the third, still oldest first; the newest of all.
            let back = try await hub.send(
                .GET, "/api/v1/tenants/\(tenant)/events?kind=vpn.&before=\(numbers[2])&limit=2", token: token
            ).jsonObject()
            #expect((back["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [numbers[0], numbers[1]])
            let newest = try await hub.send(
                .GET, "/api/v1/tenants/\(tenant)/events?kind=vpn.&before=1000000000000&limit=1", token: token
            ).jsonObject()
            #expect((newest["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [numbers[2]])
            let none = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/events?kind=vpn.network.", token: token).jsonObject()
            #expect((none["items"] as? [[String: Any]])?.isEmpty == true)
            let quiet = try await hub.send(.GET, "/api/v1/tenants/\(other)/events", token: token).jsonObject()
            let quietItems = try #require(quiet["items"] as? [[String: Any]])
            #expect(quietItems.map { $0["kind"] as? String } == ["tenant.created"], "another tenant's log is its own")
            #expect(quietItems.allSatisfy { $0["tenant"] as? String == other })
            for bad in ["limit=0", "limit=5000", "after=-1", "after=x"] {
                let refused = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/events?\(bad)", token: token)
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains(String(bad.prefix { $0 != "=" })), "\(bad)")
            }
        }
    }
}
