import BerqenasTestSupport
import Foundation
import SQLiteNIO
import Testing
import Vapor

/// Every route under `/api/v1/tenants/{name}`, read from the application's route table (a new route is covered
/// without touching this test), tried by the tenant admin and the tenant viewer of one tenant against another
/// tenant, and with the other tenant's object ids under their own tenant's path; and every write of their own
/// tenant tried by its viewer. None may succeed, and none may crash.
struct TenantIsolationMatrixTests {
    /// One tenant's users and objects.
    struct Side {
        let name: String
        let owner: String
        let viewer: String
        /// Path parameter values by the path component before them (`remote-databases` -> its id…).
        var objects: [String: String]
    }

    func makeSide(_ hub: TestHub, _ admin: String, _ name: String) async throws -> Side {
        try await hub.createTenant(name, adminToken: admin)
        let owner = try await hub.createUser("\(name)_owner", role: "tenant_admin", tenant: name, token: admin)
        let viewer = try await hub.createUser("\(name)_viewer", role: "tenant_viewer", tenant: name, token: admin)
        let file = TemporaryDirectory.make().appendingPathComponent("\(name).sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: file))
        _ = try await connection.query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        try await connection.close()
        let base = "/api/v1/tenants/\(name)"
        let remote = try await hub.send(
            .POST, "\(base)/remote-databases", token: admin,
            json: ["name": "erp", "engine": "sqlite", "database": file]
        ).jsonObject()
        let remoteID = try #require(remote["id"] as? String)
        let api = try await hub.send(
            .POST, "\(base)/apis", token: admin,
            json: [
                "name": "notes_\(name)", "source": ["kind": "remote_database", "id": remoteID], "tables": ["*"], "auth": "api_key",
            ])
        #expect(api.status == .created, "\(api.body.string)")
        let key = try await hub.send(.POST, "\(base)/apis/notes_\(name)/keys", token: admin, json: ["name": "k", "permissions": "read"]).jsonObject()
        #expect(try await hub.send(.PUT, "\(base)/vpn", token: admin, json: ["enabled": true]).status == .ok)
        let peer = try await hub.send(.POST, "\(base)/vpn/peers", token: admin, json: ["name": "site"]).jsonObject()
        let peerID = try #require(peer["id"] as? String)
        let port = name.hasSuffix("a") ? 20001 : 20002
        let publication = try await hub.send(
            .POST, "\(base)/publications", token: admin,
            json: ["peer_id": peerID, "target_port": 22, "public_port": port]
        ).jsonObject()
        let job = try await hub.send(.POST, "\(base)/remote-databases/\(remoteID)/sync", token: admin, json: ["mode": "full", "dry_run": true])
            .jsonObject()
        return Side(
            name: name, owner: owner, viewer: viewer,
            objects: [
                "remote-databases": remoteID, "apis": "notes_\(name)", "keys": try #require(key["id"] as? String), "peers": peerID,
                "publications": try #require(publication["id"] as? String), "sync-jobs": try #require(job["job_id"] as? String),
            ])
    }

    /// The route's path with `side`'s name and ids put in (an unknown parameter gets a fresh UUID).
    static func path(_ route: Route, name: String, objects: [String: String]) -> String {
        var parts: [String] = []
        for component in route.path {
            switch component {
            case let .parameter(parameter):
                parts.append(parameter == "name" ? name : objects[parts.last ?? ""] ?? UUID().uuidString)
            default:
                parts.append(component.description)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    @Test func noTenantUserReachesAnotherTenantOrWritesAsAViewer() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            let a = try await makeSide(hub, admin, "iso_a")
            let b = try await makeSide(hub, admin, "iso_b")
            let routes = hub.app.routes.all.filter { route in
                route.path.count >= 4 && route.path.prefix(3).map(\.description) == ["api", "v1", "tenants"]
                    && route.path[3].description == ":name"
            }
            #expect(routes.count >= 40, "the route table lists the tenant routes: \(routes.count)")
            var failures: [String] = []
            func attempt(_ route: Route, _ path: String, _ token: String, _ who: String, allowed: Set<UInt>) async throws {
                let response = try await hub.send(route.method, path, token: token, json: [:])
                if !allowed.contains(response.status.code) {
                    failures.append("\(who) \(route.method) \(path): \(response.status.code) \(response.body.string.prefix(120))")
                }
            }
            for route in routes {
                for (token, who) in [(a.owner, "owner of a"), (a.viewer, "viewer of a")] {
                    try await attempt(route, Self.path(route, name: b.name, objects: b.objects), token, "\(who) on b", allowed: [403])
                }
                if route.path.contains(where: { if case .parameter = $0 { $0.description != ":name" } else { false } }) {
                    try await attempt(
                        route, Self.path(route, name: a.name, objects: b.objects), a.owner, "owner of a with b's ids",
                        allowed: [403, 404, 422])
                }
                // A viewer writes nothing, and makes the hub open no connection (table listings read the source).
                if route.method != .GET || route.path.last?.description == "tables" {
                    try await attempt(route, Self.path(route, name: a.name, objects: a.objects), a.viewer, "viewer of a", allowed: [403])
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            // Nothing of b's was touched along the way.
            let remote = try await hub.send(.GET, "/api/v1/tenants/\(b.name)/remote-databases/\(b.objects["remote-databases"]!)", token: admin)
            #expect(remote.status == .ok)
        }
    }
}
