import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import SQLiteNIO
import Testing

@testable import BerqenasPlatform
@testable import BerqenasServer

/// One tenant cannot take more of the hub than its quotas allow: counts of what holds connections, ports,
/// addresses and loops; the space of its store; the time of its statements.
struct TenantQuotaAttackTests {
    @Test func countsOfRemotesAPIsPeersPublicationsAndLoopsAreBounded() async throws {
        let limits = try TenantLimits(parsing: "remote_databases=2,apis=1,peers=1,publications=1,continuous=1")
        try await TestHub.run(adjust: { $0.tenantLimits = limits }) { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let base = "/api/v1/tenants/shop"
            var remotes: [String] = []
            for index in 0..<3 {
                let response = try await hub.send(
                    .POST, "\(base)/remote-databases", token: admin,
                    json: [
                        "name": "r\(index)", "engine": "sqlite", "database": try await HubResourceAttackTests.siteFile(),
                    ])
                if index < 2 {
                    remotes.append(try #require(try response.jsonObject()["id"] as? String))
                } else {
                    #expect(response.status == .conflict && response.errorCode == "quota_exceeded", "\(response.body.string)")
                }
            }
            #expect(try await hub.send(.PATCH, "\(base)/remote-databases/\(remotes[0])", token: admin, json: ["continuous": true]).status == .ok)
            let second = try await hub.send(.PATCH, "\(base)/remote-databases/\(remotes[1])", token: admin, json: ["continuous": true])
            #expect(second.status == .conflict && second.errorCode == "quota_exceeded")
            for index in 0..<2 {
                let api = try await hub.send(
                    .POST, "\(base)/apis", token: admin,
                    json: [
                        "name": "a\(index)", "source": ["kind": "remote_database", "id": remotes[0]], "tables": ["*"], "auth": "jwt",
                    ])
                #expect(index == 0 ? api.status == .created : api.errorCode == "quota_exceeded", "\(api.body.string)")
            }
            #expect(try await hub.send(.PUT, "\(base)/vpn", token: admin, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "\(base)/vpn/peers", token: admin, json: ["name": "one"]).jsonObject()
            #expect(try await hub.send(.POST, "\(base)/vpn/peers", token: admin, json: ["name": "two"]).errorCode == "quota_exceeded")
            let peerID = try #require(peer["id"] as? String)
            for port in [20010, 20011] {
                let published = try await hub.send(
                    .POST, "\(base)/publications", token: admin,
                    json: ["peer_id": peerID, "target_port": 22, "public_port": port])
                #expect(port == 20010 ? published.status == .created : published.errorCode == "quota_exceeded", "\(published.body.string)")
            }
        }
    }

    @Test func aFullStoreRefusesWritesThroughItsAPIs() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let store = hub.configuration.tenantStoreDirectory.appendingPathComponent("shop.sqlite").path
            let connection = try await SQLiteConnection.open(storage: .file(path: store))
            _ = try await connection.query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            try await connection.close()
            let created = try await hub.send(
                .POST, "/api/v1/tenants/shop/apis", token: admin,
                json: [
                    "name": "notes", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "jwt",
                ])
            #expect(created.status == .created, "\(created.body.string)")
            #expect(try await hub.send(.PATCH, "/api/v1/tenants/shop", token: admin, json: ["quotas": ["storage_mb": 1]]).status == .ok)
            let small = try await hub.send(.POST, "/rest/v1/shop/notes/notes", token: admin, json: ["id": 1, "body": "small"])
            #expect(small.status == .created, "\(small.body.string)")
            let big = String(repeating: "x", count: 600_000)
            #expect(try await hub.send(.POST, "/rest/v1/shop/notes/notes", token: admin, json: ["id": 2, "body": big]).status == .created)
            #expect(try await hub.send(.POST, "/rest/v1/shop/notes/notes", token: admin, json: ["id": 3, "body": big]).status == .created)
            let tenant = try await hub.app.berqenas.platform.tenants.find("shop")
            hub.app.berqenas.platform.remoteDatabases.storage.forget(tenant)
            let refused = try await hub.send(.POST, "/rest/v1/shop/notes/notes", token: admin, json: ["id": 4, "body": "one more"])
            #expect(refused.status == .conflict && refused.body.string.contains("storage_quota_exceeded"), "\(refused.body.string)")
            #expect(try await hub.send(.GET, "/rest/v1/shop/notes/notes?select=id&id=eq.1", token: admin).status == .ok, "reads go on")
            #expect(try await hub.send(.DELETE, "/rest/v1/shop/notes/notes?id=eq.2", token: admin).status == .noContent, "deletes free space")
        }
    }

    @Test(.enabled(if: PostgresTestCluster.shouldRun)) func theStatementTimeoutQuotaHoldsOnTheTenantsOwnConnections() async throws {
        try await TestHub.run(.postgresql(url: try await PostgresTestCluster.makeDatabase())) { hub in
            let admin = try await hub.token()
            let name = TenantTests.unique("slow")
            try await hub.createTenant(name, adminToken: admin)
            let patched = try await hub.send(.PATCH, "/api/v1/tenants/\(name)", token: admin, json: ["quotas": ["statement_timeout_ms": 200]])
            #expect(patched.status == .ok)
            let platform = hub.app.berqenas.platform
            let (connector, _) = try await platform.remoteDatabases.cloudConnector(for: try await platform.tenants.find(name))
            await #expect(throws: (any Error).self, "a second-long statement outlives the 200 ms quota") {
                _ = try await connector.select(
                    "SELECT pg_sleep(1)::text AS slept", binds: [],
                    columns: [ColumnSchema(name: "slept", nativeType: "text", canonicalType: .text(length: nil, fixed: false, collation: nil))])
            }
            await connector.close()
        }
    }
}
