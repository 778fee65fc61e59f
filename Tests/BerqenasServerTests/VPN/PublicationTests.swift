import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

@testable import BerqenasPlatform

/// Publications through the API: unique public ports across tenants (also under concurrent requests, on
/// both system databases), defaults, states, changes, traffic totals and refusals. Forwarding itself is
/// exercised for real in `e2e/test_vpn_tunnel.py` (nftables) and `TCPRelayTests` (the relay).
struct PublicationTests {
    /// Two tenants (`pub_a_…`, `pub_b_…`: a PostgreSQL cluster outlives a test's hub) with a VPN and one peer
    /// each: their names and the peers' ids.
    func withPeers(_ hub: TestHub, _ token: String) async throws -> (a: String, b: String, first: String, second: String) {
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let names = ["pub_a_\(suffix)", "pub_b_\(suffix)"]
        var ids: [String] = []
        for tenant in names {
            try await hub.createTenant(tenant, adminToken: token)
            #expect(try await hub.send(.PUT, "/api/v1/tenants/\(tenant)/vpn", token: token, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "/api/v1/tenants/\(tenant)/vpn/peers", token: token, json: ["name": "site"]).jsonObject()
            ids.append(try #require(peer["id"] as? String))
        }
        return (names[0], names[1], ids[0], ids[1])
    }

    @Test(arguments: HubEngine.available)
    func publicPortsAreUniqueAcrossTenantsUnderConcurrentRequests(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let token = try await hub.token()
            let (a, b, first, second) = try await withPeers(hub, token)
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for attempt in 0..<6 {
                    let (tenant, peer) = attempt.isMultiple(of: 2) ? (a, first) : (b, second)
                    group.addTask {
                        let response = try await hub.send(
                            .POST, "/api/v1/tenants/\(tenant)/publications", token: token,
                            json: ["peer_id": peer, "target_port": 5432, "public_port": 25432])
                        return (Int(response.status.code), response.body.string)
                    }
                }
                var all: [(Int, String)] = []
                for try await one in group { all.append(one) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0.0 == 409 && $0.1.contains("public_port_in_use") }.count == 5, "\(statuses)")

            // Traffic totals grow by addition in the database (both engines), and stats show them.
            let owner = statuses.contains { $0.0 == 201 && $0.1.contains(first) } ? a : b
            let listed = try await hub.send(.GET, "/api/v1/tenants/\(owner)/publications", token: token).jsonObject()
            let id = try #require((listed["items"] as? [[String: Any]])?.first?["id"] as? String)
            let uuid = try #require(UUID(uuidString: id))
            try await PublicationTrafficStore.add([uuid: PublicationTraffic(connections: 2, bytesIn: 300, bytesOut: 7_000)], on: hub.app.db)
            try await PublicationTrafficStore.add([uuid: PublicationTraffic(connections: 1, bytesIn: 50, bytesOut: 0)], on: hub.app.db)
            let stats = try await hub.send(.GET, "/api/v1/tenants/\(owner)/publications/\(id)/stats", token: token).jsonObject()
            #expect(stats["connections"] as? Int == 3 && stats["bytes_in"] as? Int == 350 && stats["bytes_out"] as? Int == 7_000, "\(stats)")
            #expect(stats["mode"] as? String == "none")
            let other = owner == a ? b : a
            #expect(
                try await hub.send(.GET, "/api/v1/tenants/\(other)/publications/\(id)/stats", token: token).status == .notFound,
                "another tenant cannot see it")
        }
    }

    @Test func defaultsStatesChangesAndRefusals() async throws {
        try await TestHub.run { hub in
            let token = try await hub.token()
            let (tenant, _, peer, foreignPeer) = try await withPeers(hub, token)
            let base = "/api/v1/tenants/\(tenant)/publications"
            let created = try await hub.send(.POST, base, token: token, json: ["peer_id": peer, "target_port": 5432, "public_port": 25432])
            #expect(created.status == .created, "\(created.body.string)")
            let publication = try created.jsonObject()
            let id = try #require(publication["id"] as? String)
            #expect(publication["allowed_cidrs"] as? [String] == ["0.0.0.0/0"], "open to everyone unless narrowed")
            #expect(publication["enabled"] as? Bool == true && publication["peer_name"] as? String == "site")
            #expect(publication["state"] as? String == "not_applied" && publication["mode"] as? String == "none")

            func refused(_ body: [String: any Sendable], _ status: Int, _ text: String) async throws {
                let response = try await hub.send(.POST, base, token: token, json: body)
                #expect(Int(response.status.code) == status && response.body.string.contains(text), "\(body): \(response.body.string)")
            }
            let good: [String: any Sendable] = ["peer_id": peer, "target_port": 22, "public_port": 22222]
            try await refused(good.merging(["allowed_cidrs": ["198.18.10.2/30"]]) { $1 }, 422, "allowed_cidrs")
            try await refused(good.merging(["allowed_cidrs": [String]()]) { $1 }, 422, "allowed_cidrs")
            try await refused(good.merging(["allowed_cidrs": ["not a network"]]) { $1 }, 422, "allowed_cidrs")
            try await refused(good.merging(["target_port": 0]) { $1 }, 422, "target_port")
            try await refused(good.merging(["public_port": 70_000]) { $1 }, 422, "public_port")
            try await refused(good.merging(["public_port": hub.configuration.port]) { $1 }, 422, "public_port")
            try await refused(good.merging(["peer_id": foreignPeer]) { $1 }, 422, "peer_id")
            try await refused(["target_port": 22, "public_port": 22222], 422, "peer_id")
            try await refused(good.merging(["public_port": 25432]) { $1 }, 409, "public_port_in_use")

            let narrowed = try await hub.send(
                .POST, base, token: token,
                json: good.merging([
                    "allowed_cidrs": ["198.18.10.0/30", " 10.1.0.0/16", "198.18.10.0/30"], "enabled": false,
                ]) { $1 }
            ).jsonObject()
            #expect(narrowed["allowed_cidrs"] as? [String] == ["198.18.10.0/30", "10.1.0.0/16"], "trimmed, duplicates dropped")
            #expect(narrowed["state"] as? String == "disabled")
            let listed = try await hub.send(.GET, base, token: token).jsonObject()
            #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["public_port"] as? Int } == [22222, 25432], "by port")

            let off = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["enabled": false])
            let offState = try off.jsonObject()["state"] as? String
            #expect(off.status == .ok && offState == "disabled")
            let moved = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["enabled": true, "public_port": 22222])
            #expect(moved.status == .conflict && moved.body.string.contains("public_port_in_use"))
            #expect(
                try await hub.send(.GET, "\(base)/\(id)", token: token).jsonObject()["public_port"] as? Int == 25432, "a refused change keeps nothing"
            )

            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(tenant)/vpn/peers/\(peer)", token: token).status == .noContent)
            let waiting = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["enabled": true]).jsonObject()
            #expect(waiting["state"] as? String == "waiting", "its peer was revoked: \(waiting)")

            #expect(try await hub.send(.DELETE, "\(base)/\(id)", token: token).status == .noContent)
            #expect(try await hub.send(.GET, "\(base)/\(id)", token: token).status == .notFound)
            #expect(try await hub.send(.GET, "\(base)/\(UUID().uuidString)/stats", token: token).status == .notFound)
        }
    }
}
