import BerqenasNetwork
import Testing

struct VPNSettingsTests {
    @Test func defaultsAndOverridesFromTheEnvironment() throws {
        let defaults = try VPNSettings.fromEnvironment([:])
        #expect(defaults.pool.pool.description == "10.60.0.0/16" && defaults.pool.tenantPrefixLength == 24)
        #expect(defaults.ports == 51820...51919 && defaults.backend == .automatic && defaults.publicEndpoint == nil)
        let set = try VPNSettings.fromEnvironment([
            "BERQENAS_VPN_POOL": "198.18.0.0/20", "BERQENAS_VPN_PORTS": "40000-40009",
            "BERQENAS_VPN_BACKEND": "wireguard-go", "BERQENAS_PUBLIC_ENDPOINT": "hub.example.test",
        ])
        #expect(set.pool.slotCount == 16 && set.ports == 40000...40009 && set.backend == .wireguardGo)
        #expect(set.publicEndpoint == "hub.example.test")
        #expect(try VPNSettings.fromEnvironment(["BERQENAS_VPN_PORTS": "51820"]).ports == 51820...51820)
        let wide = try VPNSettings.fromEnvironment([
            "BERQENAS_VPN_POOL": "198.19.0.0/16", "BERQENAS_VPN_TENANT_PREFIX": "/18",
            "BERQENAS_PUBLISH_MODE": "relay", "BERQENAS_PUBLIC_BIND": "198.18.20.1",
        ])
        #expect(wide.pool.slotCount == 4 && wide.pool.tenantPrefixLength == 18)
        #expect(wide.publishMode == .relay && wide.publicBind?.description == "198.18.20.1")
        let forwarding = try VPNSettings.fromEnvironment(["BERQENAS_GATEWAY_FORWARD_FROM": "198.18.0.1, 172.20.0.0/16"])
        #expect(forwarding.forwardFrom.map(\.description) == ["198.18.0.1/32", "172.20.0.0/16"])
        #expect(defaults.forwardFrom.isEmpty, "no other server may use the tunnels unless the operator lists it")
    }

    @Test(arguments: [
        ("BERQENAS_VPN_POOL", "10.60.0.1/16"), ("BERQENAS_VPN_POOL", "10.60.0.0/26"), ("BERQENAS_VPN_PORTS", "51830-51820"),
        ("BERQENAS_VPN_PORTS", "0-10"), ("BERQENAS_VPN_PORTS", "a-b"), ("BERQENAS_VPN_PORTS", "1-2-3"),
        ("BERQENAS_VPN_BACKEND", "userspace"), ("BERQENAS_PUBLIC_ENDPOINT", "http://hub"),
        ("BERQENAS_VPN_TENANT_PREFIX", "8"), ("BERQENAS_VPN_TENANT_PREFIX", "31"), ("BERQENAS_VPN_TENANT_PREFIX", "x"),
        ("BERQENAS_PUBLISH_MODE", "proxy"), ("BERQENAS_PUBLIC_BIND", "0.0.0.0/0"),
        // Everyone, a site's own address (inside the pool) and names are not the hub's servers.
        ("BERQENAS_GATEWAY_FORWARD_FROM", "0.0.0.0/0"), ("BERQENAS_GATEWAY_FORWARD_FROM", "10.60.3.7"),
        ("BERQENAS_GATEWAY_FORWARD_FROM", "10.0.0.0/8"), ("BERQENAS_GATEWAY_FORWARD_FROM", "worker.internal"),
        ("BERQENAS_GATEWAY_FORWARD_FROM", "198.18.0.0/24,198.18.0.7"),
    ])
    func unusableValuesNameTheirVariable(_ variable: String, _ value: String) {
        do {
            _ = try VPNSettings.fromEnvironment([variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as NetworkError {
            #expect(error.message.contains(variable), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
