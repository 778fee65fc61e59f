import BerqenasTestSupport
import Foundation
import Testing

@Suite struct UserTests {
    @Test func usersAreCreatedListedChangedAndDeletedWithinTheRules() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            let created = try await hub.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "ada", "password": "long-password-1", "role": "tenant_admin", "tenant": "acme",
                ])
            #expect(created.status == .created)
            let user = try created.jsonObject()
            #expect(user["tenant"] as? String == "acme")
            #expect(user["password_hash"] == nil && user["password"] == nil)
            let id = try #require(user["id"] as? String)

            #expect(
                try await hub.send(
                    .POST, "/api/v1/users", token: admin,
                    json: [
                        "username": "ada", "password": "long-password-1", "role": "tenant_admin", "tenant": "acme",
                    ]
                ).status == .conflict)
            let short = try await hub.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "bea", "password": "short", "role": "tenant_viewer", "tenant": "acme",
                ])
            #expect(short.status == .unprocessableEntity)
            #expect(short.errorMessage?.hasPrefix("password") == true)
            let noTenant = try await hub.send(
                .POST, "/api/v1/users", token: admin,
                json: [
                    "username": "bea", "password": "long-password-1", "role": "tenant_viewer",
                ])
            #expect(noTenant.status == .unprocessableEntity)

            let list = try await hub.send(.GET, "/api/v1/users?tenant=acme", token: admin).jsonObject()
            #expect(list["total"] as? Int == 1)

            let changed = try await hub.send(.PATCH, "/api/v1/users/\(id)", token: admin, json: ["password": "another-password-2"])
            #expect(changed.status == .ok)
            #expect(
                try await hub.send(
                    .POST, "/api/v1/auth/login",
                    json: ["username": "ada", "password": "long-password-1"]
                ).status == .unauthorized)
            _ = try await hub.token("ada", "another-password-2")

            #expect(try await hub.send(.DELETE, "/api/v1/users/\(id)", token: admin).status == .noContent)
            #expect(try await hub.send(.GET, "/api/v1/users/\(id)", token: admin).status == .notFound)
        }
    }

    @Test func theLastAdminCannotBeRemovedOrDisabled() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            let me = try await hub.send(.GET, "/api/v1/auth/me", token: admin).jsonObject()
            let id = try #require(me["id"] as? String)
            let deleted = try await hub.send(.DELETE, "/api/v1/users/\(id)", token: admin)
            #expect(deleted.status == .conflict)
            #expect(deleted.errorCode == "last_admin")
            #expect(try await hub.send(.PATCH, "/api/v1/users/\(id)", token: admin, json: ["disabled": true]).status == .conflict)
        }
    }
}
