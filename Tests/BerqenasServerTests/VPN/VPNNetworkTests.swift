import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// Tenant networks: allocation from the pool under concurrent requests, enable/disable keeping the
/// allocation, and what the API shows (never a private key).
struct VPNNetworkTests {
    @Test(arguments: HubEngine.available)
    func concurrentEnablesGetDisjointNetworksPortsAndInterfaces(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let token = try await hub.token()
            let names = (0..<6).map { "vpn_\($0)_" + UUID().uuidString.prefix(6).lowercased() }
            for name in names { try await hub.createTenant(name, adminToken: token) }
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for name in names {
                    group.addTask {
                        let response = try await hub.send(.PUT, "/api/v1/tenants/\(name)/vpn", token: token, json: ["enabled": true])
                        #expect(response.status == .ok, "\(response.body.string)")
                        return response.body.string
                    }
                }
                var all: [String] = []
                for try await one in group { all.append(one) }
                return all
            }
            let shown = try bodies.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            let networks = try shown.map { try IPv4Network(parsing: try #require($0["network"] as? String)) }
            #expect(Set(networks).count == names.count)
            for (index, network) in networks.enumerated() {
                #expect(network.prefixLength == 24)
                #expect(try IPv4Network(parsing: TenantAddressPool.defaultPool).overlaps(network))
                for other in networks[(index + 1)...] { #expect(!network.overlaps(other)) }
                #expect(shown[index]["hub_address"] as? String == TenantAddressPool.hubAddress(in: network).description)
            }
            #expect(Set(shown.compactMap { $0["listen_port"] as? Int }).count == names.count)
            let interfaces = shown.compactMap { $0["interface"] as? String }
            #expect(Set(interfaces).count == names.count && interfaces.allSatisfy { $0.count <= 15 })
            for one in shown {
                #expect(one["enabled"] as? Bool == true)
                #expect(one["backend"] as? String == "none")
                #expect(one["state"] as? String == "not_applied", "nothing is applied by the none backend, and it says so")
                _ = try WireGuardKey(base64: try #require(one["public_key"] as? String))
                #expect(!"\(one)".contains("private"))
            }
        }
    }

    @Test func disablingKeepsTheAllocationAndBadInputIsRefused() async throws {
        try await TestHub.run { hub in
            let token = try await hub.token()
            try await hub.createTenant("vpn_keep", adminToken: token)
            let path = "/api/v1/tenants/vpn_keep/vpn"
            let before = try await hub.send(.GET, path, token: token).jsonObject()
            #expect(before["enabled"] as? Bool == false && before["state"] as? String == "down")
            #expect(before["network"] is NSNull)
            let on = try await hub.send(.PUT, path, token: token, json: ["enabled": true]).jsonObject()
            let off = try await hub.send(.PUT, path, token: token, json: ["enabled": false]).jsonObject()
            #expect(off["enabled"] as? Bool == false && off["state"] as? String == "down")
            #expect(off["network"] as? String == on["network"] as? String)
            let again = try await hub.send(.PUT, path, token: token, json: ["enabled": true]).jsonObject()
            for field in ["network", "public_key", "interface"] { #expect(again[field] as? String == on[field] as? String) }
            #expect(again["listen_port"] as? Int == on["listen_port"] as? Int)

            let bad = try await hub.send(.PUT, path, token: token, json: ["enabled": "yes"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("enabled"), "the error names the field")
            let missing = try await hub.send(.PUT, "/api/v1/tenants/nobody_here/vpn", token: token, json: ["enabled": true])
            #expect(missing.status == .notFound)
        }
    }
}
