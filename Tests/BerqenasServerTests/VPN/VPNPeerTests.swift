import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// Peers: keys (generated and sealed, or brought), addresses (unique, held after revocation for the
/// grace period), wg-quick configs (shown once, then an audited download), and refusals.
struct VPNPeerTests {
    func withVPN(grace: Int = 86_400, _ body: (TestHub, String, String) async throws -> Void) async throws {
        try await TestHub.run(adjust: { configuration in
            configuration.vpn.publicEndpoint = "hub.example.test"
            configuration.vpn.addressGraceSeconds = grace
        }) { hub in
            let token = try await hub.token()
            try await hub.createTenant("site_net", adminToken: token)
            let on = try await hub.send(.PUT, "/api/v1/tenants/site_net/vpn", token: token, json: ["enabled": true])
            #expect(on.status == .ok)
            try await body(hub, token, "/api/v1/tenants/site_net/vpn/peers")
        }
    }

    /// `wg pubkey` of a private key (wireguard-tools).
    func publicKey(of privateKey: String) async throws -> String {
        try await CommandRunner().run("/usr/bin/wg", ["pubkey"], input: privateKey + "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aGeneratedPeerGetsItsConfigOnceThenThroughAnAuditedDownload() async throws {
        try await withVPN { hub, token, peers in
            let created = try await hub.send(.POST, peers, token: token, json: ["name": "store 1", "persistent_keepalive": 25])
            #expect(created.status == .created, "\(created.body.string)")
            let peer = try created.jsonObject()
            let id = try #require(peer["id"] as? String)
            let config = try #require(peer["config"] as? String)
            let vpn = try await hub.send(.GET, "/api/v1/tenants/site_net/vpn", token: token).jsonObject()
            let network = try IPv4Network(parsing: try #require(vpn["network"] as? String))
            #expect(peer["address"] as? String == network.address(at: 2)?.description, "the first peer takes the host after the hub")
            #expect(config.contains("Address = \(peer["address"] as? String ?? "?")/24"))
            #expect(config.contains("PublicKey = \(vpn["public_key"] as? String ?? "?")"))
            #expect(config.contains("AllowedIPs = \(network)"))
            #expect(config.contains("Endpoint = hub.example.test:\(vpn["listen_port"] as? Int ?? 0)"))
            #expect(config.contains("PersistentKeepalive = 25"))
            let privateLine = try #require(config.split(separator: "\n").first { $0.hasPrefix("PrivateKey = ") })
            #expect(
                try await publicKey(of: String(privateLine.dropFirst("PrivateKey = ".count))) == peer["public_key"] as? String,
                "the config's private key belongs to the peer's public key")

            let shown = try await hub.send(.GET, "\(peers)/\(id)", token: token)
            #expect(shown.status == .ok)
            #expect(!shown.body.string.contains("PrivateKey") && !shown.body.string.contains("private_key"))
            #expect(try shown.jsonObject()["connected"] as? Bool == false)
            let listed = try await hub.send(.GET, peers, token: token)
            #expect(!listed.body.string.contains("PrivateKey"))
            #expect((try listed.jsonObject()["items"] as? [[String: Any]])?.count == 1)

            let download = try await hub.send(.GET, "\(peers)/\(id)/config", token: token)
            #expect(download.status == .ok)
            #expect(download.headers.contentType?.subType == "plain")
            #expect(download.body.string == config)
            let qr = try await hub.send(.GET, "\(peers)/\(id)/config?format=qr", token: token)
            #expect(qr.status == .ok && qr.headers.contentType == .png)
            #expect(Array(qr.body.readableBytesView.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(Array(qr.body.readableBytesView) == (try QRCode(encoding: config).png()), "the QR code of the same file")
            let badFormat = try await hub.send(.GET, "\(peers)/\(id)/config?format=svg", token: token)
            #expect(badFormat.status == .unprocessableEntity && badFormat.body.string.contains("format"))
            let audit = try await hub.send(.GET, "/api/v1/audit?action=vpn.peers.config", token: token).jsonObject()
            let entries = try #require(audit["items"] as? [[String: Any]])
            #expect(entries.count == 2 && entries.allSatisfy { $0["target"] as? String == "vpn-peer:\(id)" }, "both downloads audited: \(audit)")
            #expect(entries.first?["action"] as? String == "vpn.peers.config")
        }
    }

    @Test func broughtKeysDuplicatesAndBadInputAreRefusedClearly() async throws {
        try await withVPN { hub, token, peers in
            let own = WireGuardKeyPair.generate().publicKey.base64
            let brought = try await hub.send(.POST, peers, token: token, json: ["name": "erp", "public_key": own])
            #expect(brought.status == .created)
            let body = try brought.jsonObject()
            #expect(body["config"] == nil && body["public_key"] as? String == own && body["keys_generated_by_hub"] as? Bool == false)
            let id = try #require(body["id"] as? String)
            // (Only the refusal is checked here: a real check would send traffic to the pool outside a namespace.)
            let badPort = try await hub.send(.POST, "\(peers)/\(id)/check", token: token, json: ["port": 70_000])
            #expect(badPort.status == .unprocessableEntity && badPort.body.string.contains("port"))
            let noConfig = try await hub.send(.GET, "\(peers)/\(id)/config", token: token)
            #expect(noConfig.status == .conflict && noConfig.body.string.contains("peer_key_external"))

            let sameName = try await hub.send(.POST, peers, token: token, json: ["name": "erp"])
            #expect(sameName.status == .conflict && sameName.body.string.contains("peer_exists"))
            let sameKey = try await hub.send(.POST, peers, token: token, json: ["name": "erp 2", "public_key": own])
            #expect(sameKey.status == .conflict && sameKey.body.string.contains("public_key_in_use"))
            for (field, value) in [
                ("public_key", "not-a-key" as any Sendable), ("name", "" as any Sendable),
                ("name", "semi;colon" as any Sendable), ("persistent_keepalive", 70_000 as any Sendable),
            ] {
                var json: [String: any Sendable] = ["name": "fine"]
                json[field] = value
                let bad = try await hub.send(.POST, peers, token: token, json: json)
                #expect(bad.status.code >= 400 && bad.status.code < 500, "\(field)=\(value)")
                #expect(bad.body.string.contains(field), "the error names \(field): \(bad.body.string)")
            }
            let list = try await hub.send(.GET, peers, token: token).jsonObject()
            #expect((list["items"] as? [[String: Any]])?.count == 1, "refused requests left nothing behind")

            // A remote database may go through a peer only if it is an active peer of the same tenant.
            let remote: [String: any Sendable] = [
                "name": "erp", "engine": "postgresql", "database": "erp", "username": "u",
                "password": "p", "wireguard_peer_id": UUID().uuidString,
            ]
            let unknownPeer = try await hub.send(.POST, "/api/v1/tenants/site_net/remote-databases", token: token, json: remote)
            #expect(
                unknownPeer.status == .unprocessableEntity && unknownPeer.body.string.contains("wireguard_peer_id"),
                "\(unknownPeer.body.string)")

            try await hub.createTenant("no_vpn", adminToken: token)
            let early = try await hub.send(.POST, "/api/v1/tenants/no_vpn/vpn/peers", token: token, json: ["name": "x"])
            #expect(early.status == .conflict && early.body.string.contains("vpn_not_enabled"))
        }
    }

    @Test func concurrentPeersGetDistinctAddressesAndRevokedOnesAreHeldForTheGrace() async throws {
        try await withVPN { hub, token, peers in
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask { try await hub.send(.POST, peers, token: token, json: ["name": "p\(index)"]).body.string }
                }
                var all: [String] = []
                for try await body in group { all.append(body) }
                return all
            }
            let addresses = bodies.compactMap { body in
                (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["address"] as? String
            }
            #expect(Set(addresses).count == 8, "\(bodies)")
            let first = try #require(
                (try await hub.send(.GET, peers, token: token).jsonObject()["items"] as? [[String: Any]])?
                    .first { $0["name"] as? String == "p0" })
            let revoked = try await hub.send(.DELETE, "\(peers)/\(first["id"] as? String ?? "")", token: token)
            #expect(revoked.status == .noContent)
            #expect(try await hub.send(.GET, "\(peers)/\(first["id"] as? String ?? "")", token: token).status == .notFound)
            let next = try await hub.send(.POST, peers, token: token, json: ["name": "after"]).jsonObject()
            #expect(next["address"] as? String != first["address"] as? String, "a revoked address is held for the grace period")
            #expect(!addresses.contains(next["address"] as? String ?? ""))
        }
        try await withVPN(grace: 0) { hub, token, peers in
            let one = try await hub.send(.POST, peers, token: token, json: ["name": "one"]).jsonObject()
            _ = try await hub.send(.DELETE, "\(peers)/\(one["id"] as? String ?? "")", token: token)
            let two = try await hub.send(.POST, peers, token: token, json: ["name": "two"]).jsonObject()
            #expect(two["address"] as? String == one["address"] as? String, "after the grace the address is free again")
        }
    }
}
