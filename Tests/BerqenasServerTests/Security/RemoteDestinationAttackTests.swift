import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

@testable import BerqenasPlatform

/// A tenant admin cannot make the hub connect to the hub itself, the cloud's metadata service, the system
/// database or another tenant's sites; refusals say "denied by policy", never how a port answered.
struct RemoteDestinationAttackTests {
    func register(_ hub: TestHub, _ token: String, host: String, port: Int = 5432, tenant: String = "shop") async throws -> (
        status: Int, message: String
    ) {
        let response = try await hub.send(
            .POST, "/api/v1/tenants/\(tenant)/remote-databases", token: token,
            json: [
                "name": "r\(UUID().uuidString.prefix(6).lowercased())", "engine": "postgresql", "host": host, "port": port,
                "database": "erp", "username": "u", "password": "p",
            ])
        return (Int(response.status.code), response.errorMessage ?? response.body.string)
    }

    @Test func internalDestinationsAreDeniedByPolicy() async throws {
        try await TestHub.run(adjust: { $0.remoteAllow = nil }) { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            try await hub.createTenant("other", adminToken: admin)
            let owner = try await hub.createUser("ada", role: "tenant_admin", tenant: "shop", token: admin)
            #expect(try await hub.send(.PUT, "/api/v1/tenants/other/vpn", token: admin, json: ["enabled": true]).status == .ok)
            let network = try await hub.send(.GET, "/api/v1/tenants/other/vpn", token: admin).jsonObject()
            let otherNetwork = try #require(network["network"] as? String)
            let otherSite = otherNetwork.replacingOccurrences(of: ".0/24", with: ".2")
            let hubAddress = LocalAddresses.current().map(IPRange.text(of:)).first { !$0.hasPrefix("127.") && !$0.contains(":") }
            for host in ["127.0.0.1", "localhost", "127.1.2.3", "::1", "::ffff:127.0.0.1", "169.254.169.254", "0.0.0.0", otherSite]
                + [hubAddress].compactMap({ $0 })
            {
                for port in [5432, 22, 1] {
                    let (status, message) = try await register(hub, owner, host: host, port: port)
                    #expect(status == 422 && message.contains("denied by policy"), "\(host):\(port): \(status) \(message)")
                    #expect(!message.contains("refused") && !message.contains("timed out"), "no port state: \(message)")
                }
            }
            let listed = try await hub.send(.GET, "/api/v1/tenants/shop/remote-databases", token: owner)
            #expect(listed.body.string == "[]", "nothing denied was saved")
        }
    }

    @Test func anAllowedRemoteRepointedInsideIsDeniedAtEveryUse() async throws {
        try await TestHub.run(adjust: { $0.remoteAllow = "127.0.0.2/32" }) { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let owner = try await hub.createUser("ada", role: "tenant_admin", tenant: "shop", token: admin)
            let created = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: owner,
                json: [
                    "name": "erp", "engine": "postgresql", "host": "127.0.0.2", "port": 1, "database": "erp", "username": "u", "password": "p",
                ])
            #expect(created.status == .created, "\(created.body.string)")
            let id = try #require(try created.jsonObject()["id"] as? String)
            for change in [["host": "127.0.0.2"], ["port": 2], ["tls": "disable"]] as [[String: any Sendable]] {
                let unconfirmed = try await hub.send(.PATCH, "/api/v1/tenants/shop/remote-databases/\(id)", token: owner, json: change)
                #expect(
                    unconfirmed.status == .unprocessableEntity && unconfirmed.errorMessage?.hasPrefix("password") == true,
                    "\(change): the stored password goes to a new server only when given again: \(unconfirmed.body.string)")
            }
            let moved = try await hub.send(
                .PATCH, "/api/v1/tenants/shop/remote-databases/\(id)", token: owner,
                json: ["host": "127.0.0.1", "password": "p"])
            #expect(moved.status == .unprocessableEntity && moved.errorMessage?.contains("denied by policy") == true, "\(moved.body.string)")
            // Rows written before the policy existed are caught where the hub would connect.
            let remote = try #require(try await RemoteDatabase.find(UUID(uuidString: id), on: hub.app.db))
            remote.host = "127.0.0.1"
            try await remote.save(on: hub.app.db)
            for path in ["test", "tables"] {
                let response = try await hub.send(path == "test" ? .POST : .GET, "/api/v1/tenants/shop/remote-databases/\(id)/\(path)", token: owner)
                #expect(
                    response.status == .unprocessableEntity && response.errorMessage?.contains("denied by policy") == true,
                    "\(path): \(response.body.string)")
            }
        }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun)) func theSystemDatabaseIsDeniedEvenWhereLoopbackIsAllowed() async throws {
        let url = try await PostgresTestCluster.makeDatabase()
        let parts = try #require(URLComponents(string: url))
        try await TestHub.run(.postgresql(url: url), adjust: { $0.remoteAllow = "127.0.0.0/8,::1/128" }) { hub in
            let admin = try await hub.token()
            let tenant = TenantTests.unique("dest")
            try await hub.createTenant(tenant, adminToken: admin)
            let owner = try await hub.createUser("ada", role: "tenant_admin", tenant: tenant, token: admin)
            let (status, message) = try await register(hub, owner, host: parts.host ?? "127.0.0.1", port: parts.port ?? 5432, tenant: tenant)
            #expect(status == 422 && message.contains("the system database"), "\(status) \(message)")
            let (otherPort, _) = try await register(hub, owner, host: "127.0.0.1", port: 1, tenant: tenant)
            #expect(otherPort == 201, "loopback is allowed on this hub, on other ports")
        }
    }

    @Test func operatorListsAreReadAndApplied() throws {
        let pool = try BerqenasNetwork.IPv4Network(parsing: "10.60.0.0/16")
        let policy = try DestinationPolicy(
            allow: "10.0.0.0/8, [fd00::/8]:5432", deny: "10.9.0.0/16,192.0.2.7:1433", vpnPool: pool, systemDatabaseURL: nil)
        func denial(_ host: String, _ port: Int) -> String? {
            policy.denial(
                of: IPRange.bytes(of: host)!, port: port, tenantNetwork: try? BerqenasNetwork.IPv4Network(parsing: "10.60.3.0/24"),
                hubAddresses: [], systemAddresses: [])
        }
        #expect(denial("10.9.1.1", 5432) == "BERQENAS_REMOTE_DENY", "deny wins over allow")
        #expect(denial("192.0.2.7", 1433) == "BERQENAS_REMOTE_DENY" && denial("192.0.2.7", 1434) == nil)
        #expect(denial("10.60.4.2", 5432) == nil, "the allow list lifts the VPN pool denial")
        let strict = try DestinationPolicy(allow: nil, deny: nil, vpnPool: pool, systemDatabaseURL: nil)
        let own = try BerqenasNetwork.IPv4Network(parsing: "10.60.3.0/24")
        #expect(
            strict.denial(of: IPRange.bytes(of: "10.60.3.2")!, port: 5432, tenantNetwork: own, hubAddresses: [], systemAddresses: []) == nil,
            "the tenant's own network")
        #expect(
            strict.denial(of: IPRange.bytes(of: "10.60.4.2")!, port: 5432, tenantNetwork: own, hubAddresses: [], systemAddresses: [])
                == "another tenant's VPN network")
        #expect(denial("fd00::1", 5432) == nil && denial("fd00::1", 5433) == nil)
        #expect(denial("::1", 5432) == "loopback")
        #expect(throws: PlatformError.self) { try DestinationPolicy(allow: "not-a-range", deny: nil, vpnPool: pool, systemDatabaseURL: nil) }
    }
}
