import BerqenasPlatform
import BerqenasTestSupport
import FluentKit
import Foundation
import Testing
import Vapor

@testable import BerqenasServer

/// Every documented route, read back from the served OpenAPI document, is checked for its access rules.
@Suite struct AccessMatrixTests {
    /// Open at the HTTP level; the realtime WebSocket signs in by its first message (e2e/test_realtime.py
    /// closes it with 4401 for a bad, expired or missing token).
    static let openOperations: Set<String> = ["auth.login", "auth.refresh", "system.health", "system.ready", "system.metrics", "events.realtime"]

    struct DocumentedOperation {
        let method: HTTPMethod
        let path: String
        let id: String
    }

    static func operations(in document: [String: Any]) throws -> [DocumentedOperation] {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return paths.flatMap { path, item in
            item.compactMap { method, value -> DocumentedOperation? in
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String else { return nil }
                let concrete = path.replacingOccurrences(of: "{name}", with: "acme")
                    .replacingOccurrences(of: "{id}", with: UUID().uuidString)
                return DocumentedOperation(method: HTTPMethod(rawValue: method.uppercased()), path: concrete, id: id)
            }
        }
    }

    @Test func everyRegisteredRouteIsInTheOpenAPIDocument() async throws {
        try await TestHub.run { hub in
            let response = try await hub.send(.GET, "/api/v1/openapi.json", token: try await hub.token())
            #expect(response.status == .ok)
            let document = try response.jsonObject()
            #expect(document["openapi"] as? String == "3.1.1")
            let documented = Set(try Self.operations(in: document).map { "\($0.method.rawValue) \($0.id)" })
            // The generated APIs under /rest/v1 describe themselves, each in its own document; the web panel's
            // page and files are not operations.
            let management = hub.app.routes.all.filter { route in
                guard let first = route.path.first?.description else { return false }
                return !["rest", "assets", "index.html"].contains(first)
            }
            for route in management {
                let operation = try #require(route.operation, "route \(route.method) \(route.path) has no Operation")
                #expect(
                    documented.contains("\(route.method.rawValue) \(operation.id)"),
                    "\(route.method) \(route.path) is missing from openapi.json")
            }
            #expect(documented.count == management.count)
            // The document's summary names every area its routes are tagged with (it once named four of nine).
            let summary = try #require((document["info"] as? [String: Any])?["description"] as? String)
            for tag in Set(management.compactMap { $0.operation?.tag }) {
                #expect(summary.contains(tag), "the API's description leaves out '\(tag)'")
            }
        }
    }

    @Test(arguments: HubEngine.available)
    func everySignedInRouteAnswers401WithoutABadOrAnExpiredToken(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let admin = try await hub.token()
            let document = try await hub.send(.GET, "/api/v1/openapi.json", token: admin).jsonObject()
            let user = try #require(try await User.query(on: hub.app.db).filter(\.$username == "admin").first())
            let expired = try await hub.app.berqenas.tokens.issue(for: user, now: Date().addingTimeInterval(-901))
            let operations = try Self.operations(in: document)
            #expect(operations.count >= 15)
            for operation in operations where !Self.openOperations.contains(operation.id) {
                for token in [nil, "not-a-jwt", expired] {
                    let response = try await hub.send(operation.method, operation.path, token: token, json: [:])
                    #expect(response.status == .unauthorized, "\(operation.method) \(operation.path) with \(token ?? "no token")")
                    #expect(response.errorCode != nil)
                }
            }
            #expect(try await hub.send(.GET, "/health").status == .ok)
            #expect(try await hub.send(.POST, "/api/v1/auth/login", json: [:]).status == .unprocessableEntity)
            #expect(try await hub.send(.POST, "/api/v1/auth/refresh", json: [:]).status == .unprocessableEntity)
        }
    }

    @Test(arguments: HubEngine.available)
    func tenantUsersAreConfinedToTheirTenantAndViewersCannotWrite(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let admin = try await hub.token()
            let acme = TenantTests.unique("acme")
            let beta = TenantTests.unique("beta")
            try await hub.createTenant(acme, adminToken: admin)
            try await hub.createTenant(beta, adminToken: admin)
            let acmeAdmin = try await hub.createUser("ada", role: "tenant_admin", tenant: acme, token: admin)
            let acmeViewer = try await hub.createUser("vic", role: "tenant_viewer", tenant: acme, token: admin)

            let forbidden: [(HTTPMethod, String, String, [String: any Sendable])] = [
                (.GET, "/api/v1/tenants/\(beta)", acmeAdmin, [:]),
                (.GET, "/api/v1/tenants/\(beta)/connection", acmeAdmin, [:]),
                (.PATCH, "/api/v1/tenants/\(beta)", acmeAdmin, ["display_name": "x"]),
                (.POST, "/api/v1/tenants", acmeAdmin, ["name": "gamma_never"]),
                (.DELETE, "/api/v1/tenants/\(acme)", acmeAdmin, [:]),
                (.PATCH, "/api/v1/tenants/\(acme)", acmeAdmin, ["status": "suspended"]),
                (.POST, "/api/v1/users", acmeAdmin, ["username": "eve", "password": "long-password-1", "role": "tenant_viewer", "tenant": beta]),
                (.POST, "/api/v1/users", acmeAdmin, ["username": "eve", "password": "long-password-1", "role": "admin"]),
                (.PATCH, "/api/v1/tenants/\(acme)", acmeViewer, ["display_name": "x"]),
                (.POST, "/api/v1/users", acmeViewer, ["username": "eve", "password": "long-password-1", "role": "tenant_viewer", "tenant": acme]),
                (.GET, "/api/v1/users", acmeViewer, [:]),
                (.GET, "/api/v1/audit", acmeViewer, [:]),
            ]
            for (method, path, token, body) in forbidden {
                let response = try await hub.send(method, path, token: token, json: body)
                #expect(response.status == .forbidden, "\(method) \(path): \(response.status) \(response.body.string)")
            }

            #expect(try await hub.send(.GET, "/api/v1/tenants/\(acme)", token: acmeViewer).status == .ok)
            let listed = try await hub.send(.GET, "/api/v1/tenants", token: acmeViewer).jsonObject()
            #expect(listed["total"] as? Int == 1)
            let created = try await hub.send(
                .POST, "/api/v1/users", token: acmeAdmin,
                json: [
                    "username": "val", "password": "long-password-1", "role": "tenant_viewer", "tenant": acme,
                ])
            #expect(created.status == .created)

            // A suspended tenant's users may still read, but no longer change anything.
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(acme)", token: admin).status == .ok)
            #expect(try await hub.send(.GET, "/api/v1/tenants/\(acme)", token: acmeAdmin).status == .ok)
            let frozen = try await hub.send(.PATCH, "/api/v1/tenants/\(acme)", token: acmeAdmin, json: ["display_name": "x"])
            #expect(frozen.status == .forbidden)
            #expect(frozen.errorCode == "tenant_suspended")
        }
    }

    @Test func viewersSeeTheConnectionWithoutThePassword() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            let viewer = try await hub.createUser("vic", role: "tenant_viewer", tenant: "acme", token: admin)
            let response = try await hub.send(.GET, "/api/v1/tenants/acme/connection?reveal=true", token: viewer)
            #expect(response.status == .ok)
            #expect(try response.jsonObject()["engine"] as? String == "sqlite")
            #expect(try response.jsonObject()["password"] is NSNull || (try response.jsonObject()["password"]) == nil)
        }
    }
}
