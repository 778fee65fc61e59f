import BerqenasPlatform
import BerqenasTestSupport
import Foundation
import SQLiteNIO
import Testing

/// What the attack tests aim at: a tenant `shop` with a remote SQLite database (`items`, and `orders` that
/// reference them) and a generated API `catalog` over it, whose grants each test chooses.
struct AttackSource {
    let hub: TestHub
    let adminToken: String
    let remoteID: String
    /// `/rest/v1/shop/catalog`.
    let base = "/rest/v1/shop/catalog"

    /// Makes the source file, the tenant, the remote database and the API, then runs `body`.
    static func run(
        tables: [[String: any Sendable]] = [["name": "items", "operations": ["read"]]], auth: String = "public_read",
        adjust: @escaping (inout PlatformConfiguration) -> Void = { _ in },
        _ body: (AttackSource) async throws -> Void
    ) async throws {
        let directory = TemporaryDirectory.make()
        let file = directory.appendingPathComponent("shop.sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: file))
        for statement in [
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
            "INSERT INTO items VALUES (1, 'pen'), (2, 'book')",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id), card TEXT)",
            "INSERT INTO orders VALUES (10, 1, '4111-secret'), (11, 2, '5500-secret')",
        ] { _ = try await connection.query(statement) }
        try await connection.close()
        try await TestHub.run(adjust: { configuration in
            configuration.sqliteRemoteDirectory = directory
            adjust(&configuration)
        }) { hub in
            let token = try await hub.token()
            try await hub.createTenant("shop", adminToken: token)
            let remote = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: token,
                json: ["name": "erp", "engine": "sqlite", "database": file])
            let remoteID = try #require(try remote.jsonObject()["id"] as? String, "\(remote.body.string)")
            let created = try await hub.send(
                .POST, "/api/v1/tenants/shop/apis", token: token,
                json: [
                    "name": "catalog", "source": ["kind": "remote_database", "id": remoteID], "tables": tables, "auth": auth,
                ])
            #expect(created.status == .created, "\(created.body.string)")
            try await body(AttackSource(hub: hub, adminToken: token, remoteID: remoteID))
        }
    }
}
