import BerqenasPlatform
import BerqenasTestSupport
import Foundation
import Testing
import Vapor

@testable import BerqenasServer

/// Tenant lifecycle on both system database engines. Tenant names carry a suffix per test, because
/// PostgreSQL roles are cluster-wide and suites run in parallel.
@Suite struct TenantTests {
    static func unique(_ base: String) -> String { "\(base)_\(UUID().uuidString.prefix(6).lowercased())" }

    @Test(arguments: HubEngine.available)
    func createListShowSuspendAndDelete(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let admin = try await hub.token()
            let name = Self.unique("acme")
            let created = try await hub.send(
                .POST, "/api/v1/tenants", token: admin,
                json: [
                    "name": name, "display_name": "Acme Retail", "subdomain": name.replacingOccurrences(of: "_", with: "-"),
                    "quotas": ["max_connections": 7],
                ])
            #expect(created.status == .created, "\(created.body.string)")
            let body = try created.jsonObject()
            #expect(body["status"] as? String == "active")
            #expect((body["quotas"] as? [String: Any])?["max_connections"] as? Int == 7)

            #expect(try await hub.send(.POST, "/api/v1/tenants", token: admin, json: ["name": name]).status == .conflict)
            for other in 0..<3 { try await hub.createTenant(Self.unique("store\(other)"), adminToken: admin) }
            let page = try await hub.send(.GET, "/api/v1/tenants?limit=2&offset=1", token: admin).jsonObject()
            #expect(page["total"] as? Int == 4)
            #expect((page["items"] as? [Any])?.count == 2)

            let patched = try await hub.send(
                .PATCH, "/api/v1/tenants/\(name)", token: admin,
                json: ["display_name": "Acme", "quotas": ["statement_timeout_ms": 5000]])
            #expect(patched.status == .ok)
            #expect((try patched.jsonObject()["quotas"] as? [String: Any])?["statement_timeout_ms"] as? Int == 5000)
            #expect((try patched.jsonObject()["quotas"] as? [String: Any])?["max_connections"] as? Int == 7)

            let early = try await hub.send(.DELETE, "/api/v1/tenants/\(name)?permanent=true", token: admin)
            #expect(early.status == .conflict)
            #expect(early.errorCode == "tenant_active")

            let suspended = try await hub.send(.DELETE, "/api/v1/tenants/\(name)", token: admin)
            #expect(try suspended.jsonObject()["status"] as? String == "suspended")
            let dropped = try await hub.send(.DELETE, "/api/v1/tenants/\(name)?permanent=true", token: admin)
            #expect(dropped.status == .noContent)
            #expect(try await hub.send(.GET, "/api/v1/tenants/\(name)", token: admin).status == .notFound)
            try await StoreProbe.expectAbsent(name, in: hub)
        }
    }

    @Test func badNamesAreRefusedNamingTheField() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            for name in ["A", "9lives", "admin", "has-dash", String(repeating: "a", count: 40)] {
                let response = try await hub.send(.POST, "/api/v1/tenants", token: admin, json: ["name": name])
                #expect(response.status == .unprocessableEntity, "\(name)")
                #expect(try (response.jsonObject()["error"] as? [String: Any])?["details"] as? [String: String] == ["field": "name"])
            }
            let quota = try await hub.send(
                .POST, "/api/v1/tenants", token: admin,
                json: ["name": "okay", "quotas": ["max_connections": 0]])
            #expect(quota.status == .unprocessableEntity)
            #expect(quota.errorMessage?.hasPrefix("quotas.max_connections") == true)
            #expect(try await hub.send(.GET, "/api/v1/tenants/okay", token: admin).status == .notFound)
        }
    }

    @Test(arguments: HubEngine.available)
    func provisioningIsAllOrNothing(_ engine: HubEngine) async throws {
        let name = Self.unique("halfway")
        let hooks = ProvisioningHooks { tenant in
            if tenant == name { throw TestSupportError("injected failure after the store was created") }
        }
        try await TestHub.run(try await engine.makeMode(), hooks: hooks) { hub in
            let admin = try await hub.token()
            let response = try await hub.send(.POST, "/api/v1/tenants", token: admin, json: ["name": name])
            #expect(response.status == .internalServerError)
            #expect(response.errorCode == "provisioning_failed")
            #expect(try await hub.send(.GET, "/api/v1/tenants/\(name)", token: admin).status == .notFound)
            try await StoreProbe.expectAbsent(name, in: hub)
            // The name is free again: a retry without the fault succeeds.
            let other = Self.unique("after")
            try await hub.createTenant(other, adminToken: admin)
            try await StoreProbe.expectPresent(other, in: hub)
        }
    }

    @Test(arguments: HubEngine.available)
    func tenantsSurviveARestart(_ engine: HubEngine) async throws {
        let directory = TemporaryDirectory.make()
        let mode = try await engine.makeMode()
        let name = Self.unique("durable")
        try await TestHub.run(mode, dataDirectory: directory) { hub in
            _ = try await hub.createTenant(name, adminToken: try await hub.token())
        }
        try await TestHub.run(mode, dataDirectory: directory) { hub in
            let shown = try await hub.send(.GET, "/api/v1/tenants/\(name)", token: try await hub.token())
            #expect(shown.status == .ok)
            try await StoreProbe.expectPresent(name, in: hub)
        }
    }

    @Test func aWrongMasterKeyStopsTheStartWithAClearError() async throws {
        let directory = TemporaryDirectory.make()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let wrong = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try await TestHub.run(dataDirectory: directory, masterKeyBase64: key) { (_: TestHub) in }
        let error = await #expect(throws: PlatformError.self) {
            try await TestHub.run(dataDirectory: directory, masterKeyBase64: wrong) { (_: TestHub) in }
        }
        #expect(error?.code == "master_key_mismatch")
        try await TestHub.run(dataDirectory: directory, masterKeyBase64: key) { hub in
            let health = try await hub.send(.GET, "/health")
            #expect(health.status == .ok)
        }
    }

    @Test func healthNamesTheEngine() async throws {
        try await TestHub.run { hub in
            let health = try await hub.send(.GET, "/health")
            #expect(health.status == .ok)
            #expect(try health.jsonObject()["status"] as? String == "ok")
            #expect(try health.jsonObject()["database"] as? String == "sqlite")
            #expect(try health.jsonObject()["version"] as? String == BerqenasVersion.current)
        }
    }
}
