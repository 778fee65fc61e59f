import BerqenasTestSupport
import Foundation
import Testing

@Suite struct AuditTests {
    @Test func mutatingRequestsAreRecordedWithActorTenantOutcomeAndClient() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            #expect(try await hub.send(.POST, "/api/v1/tenants", token: admin, json: ["name": "acme"]).status == .conflict)
            _ = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "mallory", "password": "guess-guess"])

            let page = try await hub.send(.GET, "/api/v1/audit?limit=50", token: admin).jsonObject()
            let entries = try #require(page["items"] as? [[String: Any]])
            let creates = entries.filter { $0["action"] as? String == "tenants.create" }
            #expect(creates.count == 2)
            #expect(creates.contains { $0["outcome"] as? String == "success" && $0["status_code"] as? Int == 201 })
            #expect(creates.contains { $0["outcome"] as? String == "failure" && $0["status_code"] as? Int == 409 })
            #expect(creates.allSatisfy { $0["actor"] as? String == "admin" && $0["tenant"] as? String == "acme" })
            #expect(creates.allSatisfy { $0["target"] as? String == "tenant:acme" })
            // The in-memory tester has no peer address; e2e/ checks client_address against a real socket.
            let failedLogin = entries.first { $0["action"] as? String == "auth.login" && $0["actor"] as? String == "mallory" }
            #expect(failedLogin?["outcome"] as? String == "denied")
            #expect(!entries.contains { $0["action"] as? String == "audit.list" })

            let filtered = try await hub.send(.GET, "/api/v1/audit?action=tenants.create&outcome=failure", token: admin).jsonObject()
            #expect(filtered["total"] as? Int == 1)
            let bad = try await hub.send(.GET, "/api/v1/audit?since=yesterday", token: admin)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.errorMessage?.hasPrefix("since") == true)
        }
    }

    @Test func tenantAdminsSeeOnlyTheirTenantAndPasswordRevealsAreAudited() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            try await hub.createTenant("beta", adminToken: admin)
            let ada = try await hub.createUser("ada", role: "tenant_admin", tenant: "acme", token: admin)
            _ = try await hub.send(.PATCH, "/api/v1/tenants/acme", token: ada, json: ["display_name": "Acme Co"])
            _ = try await hub.send(.PATCH, "/api/v1/tenants/beta", token: admin, json: ["display_name": "Beta Co"])
            _ = try await hub.send(.GET, "/api/v1/tenants/acme/connection?reveal=true", token: ada)

            let page = try await hub.send(.GET, "/api/v1/audit", token: ada).jsonObject()
            let entries = try #require(page["items"] as? [[String: Any]])
            #expect(!entries.isEmpty)
            #expect(entries.allSatisfy { $0["tenant"] as? String == "acme" })
            #expect(entries.contains { $0["action"] as? String == "tenants.update" && $0["actor"] as? String == "ada" })
        }
    }
}
