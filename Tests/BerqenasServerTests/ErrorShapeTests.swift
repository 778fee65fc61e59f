import BerqenasTestSupport
import Foundation
import Testing
import Vapor

/// One error shape, and the right status for each kind of bad input.
@Suite struct ErrorShapeTests {
    @Test func malformedJSONIs400AndMissingOrMistypedFieldsAre422NamingTheField() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            let malformed = try await hub.send(.POST, "/api/v1/tenants", token: admin, rawBody: "{\"name\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "malformed_body")

            let missing = try await hub.send(.POST, "/api/v1/tenants", token: admin, json: ["display_name": "x"])
            #expect(missing.status == .unprocessableEntity)
            #expect(try (missing.jsonObject()["error"] as? [String: Any])?["details"] as? [String: String] == ["field": "name"])

            let mistyped = try await hub.send(.POST, "/api/v1/tenants", token: admin, json: ["name": 42])
            #expect(mistyped.status == .unprocessableEntity)
            #expect(mistyped.errorMessage?.hasPrefix("name") == true)

            let nested = try await hub.send(
                .POST, "/api/v1/tenants", token: admin,
                json: ["name": "acme", "quotas": ["max_connections": "many"]])
            #expect(nested.status == .unprocessableEntity)
            #expect(nested.errorMessage?.hasPrefix("quotas.max_connections") == true)

            let badRole = try await hub.send(
                .POST, "/api/v1/users", token: admin,
                json: ["username": "bob", "password": "long-password-1", "role": "root"])
            #expect(badRole.status == .unprocessableEntity)
            #expect(badRole.errorMessage?.hasPrefix("role") == true)

            let badLimit = try await hub.send(.GET, "/api/v1/tenants?limit=abc", token: admin)
            #expect(badLimit.status == .unprocessableEntity)
        }
    }

    @Test func unknownRoutesAndIdsAre404InTheErrorShape() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            for path in ["/api/v1/nothing-here", "/nowhere", "/api/v1/users/not-a-uuid", "/api/v1/tenants/ghost"] {
                let response = try await hub.send(.GET, path, token: admin)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.errorCode == "not_found", "\(path)")
            }
        }
    }

    @Test func oddInputsNeverProduceA500() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            let bodies: [String] = [
                "", "null", "[]", "\"text\"", "{\"name\": null}", "{\"name\": \"\\u0000\"}",
                "{\"name\": \"acme\", \"quotas\": []}", String(repeating: "[", count: 5000),
            ]
            for path in ["/api/v1/tenants", "/api/v1/users", "/api/v1/auth/login", "/api/v1/auth/refresh"] {
                for body in bodies {
                    let response = try await hub.send(.POST, path, token: admin, rawBody: body)
                    #expect(response.status.code < 500, "\(path) with \(body.prefix(20)): \(response.body.string)")
                    #expect(response.errorCode != nil || response.status.code < 300)
                }
            }
            let patch = try await hub.send(.PATCH, "/api/v1/tenants/acme", token: admin, rawBody: "{\"status\": \"gone\"}")
            #expect(patch.status.code < 500)
        }
    }
}
