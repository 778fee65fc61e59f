import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// `PATCH …/remote-databases/{id}` moves a remote database onto a peer's tunnel address and back. The pool is
/// put inside 127.0.0.0/8 so the connection test through the "peer" stays on loopback (where nothing
/// listens at that address: the refusal shows which address was used).
@Suite(.enabled(if: PostgresTestCluster.shouldRun))
struct RemoteThroughPeerTests {
    @Test func patchRoutesThroughAPeerAndBackAndRefusesForeignPeers() async throws {
        let url = try await PostgresTestCluster.makeDatabase(prefix: "route")
        let parts = try #require(URLComponents(string: url))
        try await TestHub.run(adjust: { configuration in
            configuration.vpn.pool = try! TenantAddressPool(pool: IPv4Network(parsing: "127.77.0.0/16"))
        }) { hub in
            let token = try await hub.token()
            let tenant = "route_" + UUID().uuidString.prefix(6).lowercased()
            try await hub.createTenant(tenant, adminToken: token)
            #expect(try await hub.send(.PUT, "/api/v1/tenants/\(tenant)/vpn", token: token, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "/api/v1/tenants/\(tenant)/vpn/peers", token: token, json: ["name": "erp-site"]).jsonObject()
            let peerID = try #require(peer["id"] as? String)
            #expect((peer["address"] as? String)?.hasPrefix("127.77.") == true)

            let base = "/api/v1/tenants/\(tenant)/remote-databases"
            let created = try await hub.send(
                .POST, base, token: token,
                json: [
                    "name": "erp", "engine": "postgresql", "host": "127.0.0.1", "port": parts.port ?? 5432,
                    "database": String(parts.path.dropFirst()), "username": parts.user ?? "postgres", "password": parts.password ?? "",
                    "tls": "disable",
                ]
            ).jsonObject()
            let id = try #require(created["id"] as? String)
            #expect(created["status"] as? String == "ok" && created["wireguard_peer_id"] is NSNull)

            let password = parts.password ?? ""
            let unconfirmed = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["wireguard_peer_id": peerID])
            #expect(
                unconfirmed.status == .unprocessableEntity && unconfirmed.errorMessage?.hasPrefix("password") == true,
                "a new route carries the stored password only when it is given again")
            let routed = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["wireguard_peer_id": peerID, "password": password])
            #expect(routed.status == .ok, "\(routed.body.string)")
            let through = try routed.jsonObject()
            #expect(through["wireguard_peer_id"] as? String == peerID)
            #expect(through["status"] as? String != "ok", "tested again at the peer's address, where nothing listens: \(through)")

            let foreign = try await hub.send(
                .PATCH, "\(base)/\(id)", token: token, json: ["wireguard_peer_id": UUID().uuidString, "password": password])
            #expect(foreign.status == .unprocessableEntity && foreign.body.string.contains("wireguard_peer_id"))
            let malformed = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["wireguard_peer_id": "not-a-uuid"])
            #expect(malformed.status.code >= 400 && malformed.status.code < 500)
            #expect(
                try await hub.send(.GET, "\(base)/\(id)", token: token).jsonObject()["wireguard_peer_id"] as? String == peerID,
                "refused changes kept the route")

            let direct = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["wireguard_peer_id": NSNull(), "password": password])
                .jsonObject()
            #expect(direct["wireguard_peer_id"] is NSNull && direct["status"] as? String == "ok", "back at its host: \(direct)")
            let untouched = try await hub.send(.PATCH, "\(base)/\(id)", token: token, json: ["continuous": false]).jsonObject()
            #expect(untouched["wireguard_peer_id"] is NSNull, "a change that leaves the field out keeps the route")
        }
    }
}
