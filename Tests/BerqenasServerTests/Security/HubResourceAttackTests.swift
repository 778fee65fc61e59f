import BerqenasTestSupport
import Foundation
import SQLiteNIO
import Testing

@testable import BerqenasPlatform

/// A tenant admin cannot take the hub's own ports or files: publications stay inside the operator's range,
/// SQLite remote databases inside the operator's directory (links resolved), and only an admin may place or
/// repoint one.
struct HubResourceAttackTests {
    @Test func publicationsCannotTakeTheHubsOwnPorts() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let owner = try await hub.createUser("ada", role: "tenant_admin", tenant: "shop", token: admin)
            #expect(try await hub.send(.PUT, "/api/v1/tenants/shop/vpn", token: admin, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "/api/v1/tenants/shop/vpn/peers", token: owner, json: ["name": "site"]).jsonObject()
            let peerID = try #require(peer["id"] as? String)
            for port in [22, 80, 443, 5432, hub.configuration.port, 51820, 19999, 30000] {
                let response = try await hub.send(
                    .POST, "/api/v1/tenants/shop/publications", token: owner,
                    json: ["peer_id": peerID, "target_port": 22, "public_port": port])
                #expect(
                    response.status == .unprocessableEntity && response.errorMessage?.contains("20000-29999") == true,
                    "public_port \(port): \(response.status) \(response.body.string)")
            }
            let inside = try await hub.send(
                .POST, "/api/v1/tenants/shop/publications", token: owner,
                json: ["peer_id": peerID, "target_port": 22, "public_port": 20022])
            #expect(inside.status == .created)
            let id = try #require(try inside.jsonObject()["id"] as? String)
            let moved = try await hub.send(.PATCH, "/api/v1/tenants/shop/publications/\(id)", token: owner, json: ["public_port": 22])
            #expect(moved.status == .unprocessableEntity, "a change is held to the range too")
        }
    }

    @Test func aPublicationRangeThatCollidesWithTheHubIsRefusedAtStart() throws {
        for (range, port) in [(1000...2000, 8080), (8000...9000, 8080), (51000...52000, 8080)] {
            var configuration = PlatformConfiguration(port: port)
            configuration.vpn.publishPorts = range
            #expect(throws: PlatformError.self, "\(range)") { try configuration.validate() }
        }
        #expect(throws: PlatformError.self) {
            try PlatformConfiguration.fromEnvironment(["BERQENAS_PUBLISH_PORTS": "22-30000"]).validate()
        }
        try PlatformConfiguration.fromEnvironment(["BERQENAS_PUBLISH_PORTS": "40000-40100"]).validate()
    }

    @Test func publicationsOutsideANarrowedRangeAreDisabledAtStartNotDeleted() async throws {
        let data = TemporaryDirectory.make()
        let id: String = try await TestHub.run(dataDirectory: data, adjust: { $0.vpn.publishPorts = 8100...29999 }) { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            #expect(try await hub.send(.PUT, "/api/v1/tenants/shop/vpn", token: admin, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "/api/v1/tenants/shop/vpn/peers", token: admin, json: ["name": "site"]).jsonObject()
            let created = try await hub.send(
                .POST, "/api/v1/tenants/shop/publications", token: admin,
                json: ["peer_id": try #require(peer["id"] as? String), "target_port": 22, "public_port": 8222])
            return try #require(try created.jsonObject()["id"] as? String)
        }
        try await TestHub.run(dataDirectory: data) { hub in
            let admin = try await hub.token()
            let publication = try await hub.send(.GET, "/api/v1/tenants/shop/publications/\(id)", token: admin).jsonObject()
            #expect(publication["enabled"] as? Bool == false && publication["public_port"] as? Int == 8222, "\(publication)")
            let events = try await hub.send(.GET, "/api/v1/tenants/shop/events?kind=publication.", token: admin).jsonObject()
            let messages = (events["items"] as? [[String: Any]])?.compactMap { $0["message"] as? String } ?? []
            #expect(messages.contains { $0.contains("8222") && $0.contains("disabled") }, "\(events)")
        }
    }

    /// A SQLite file in its own folder under the system's temporary directory (where test hubs allow them).
    static func siteFile() async throws -> String {
        let file = TemporaryDirectory.make().appendingPathComponent("site.sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: file))
        _ = try await connection.query("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        try await connection.close()
        return file
    }

    @Test func aTenantAdminCannotRepointASQLiteRemoteAtTheHubsFiles() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let owner = try await hub.createUser("ada", role: "tenant_admin", tenant: "shop", token: admin)
            let systemDatabase = hub.configuration.systemDatabaseFile.path
            let registered = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: admin,
                json: ["name": "till", "engine": "sqlite", "database": try await Self.siteFile()])
            let id = try #require(try registered.jsonObject()["id"] as? String)
            let attack = try await hub.send(.PATCH, "/api/v1/tenants/shop/remote-databases/\(id)", token: owner, json: ["database": systemDatabase])
            #expect(attack.status == .forbidden, "\(attack.body.string)")
            let shown = try await hub.send(.GET, "/api/v1/tenants/shop/remote-databases/\(id)", token: owner).jsonObject()
            #expect(shown["database"] as? String != systemDatabase)
            let direct = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: owner,
                json: ["name": "mine", "engine": "sqlite", "database": try await Self.siteFile()])
            #expect(direct.status == .forbidden)
            // Tenant admins still change what is theirs to change.
            let tuned = try await hub.send(.PATCH, "/api/v1/tenants/shop/remote-databases/\(id)", token: owner, json: ["poll_interval_ms": 5000])
            #expect(tuned.status == .ok, "\(tuned.body.string)")
        }
    }

    @Test func sqliteRemotesStayInTheOperatorsDirectoryWithLinksResolved() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let data = hub.configuration.dataDirectory
            let link = TemporaryDirectory.make().appendingPathComponent("innocent.sqlite")
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: hub.configuration.systemDatabaseFile.path)
            let linkedFolder = TemporaryDirectory.make().appendingPathComponent("folder")
            try FileManager.default.createSymbolicLink(atPath: linkedFolder.path, withDestinationPath: data.path)
            for path in [
                hub.configuration.systemDatabaseFile.path, data.appendingPathComponent("tenants/shop.sqlite").path, link.path,
                linkedFolder.appendingPathComponent("berqenas.sqlite").path, "/etc/passwd", "relative.sqlite",
                "file:/tmp/x.sqlite?mode=rwc", "\(data.path)/../\(data.lastPathComponent)/berqenas.sqlite",
            ] {
                let response = try await hub.send(
                    .POST, "/api/v1/tenants/shop/remote-databases", token: admin,
                    json: ["name": "x\(abs(path.hashValue) % 100_000)", "engine": "sqlite", "database": path])
                #expect(
                    response.status == .unprocessableEntity && response.errorMessage?.contains("database") == true,
                    "\(path): \(response.status) \(response.body.string)")
            }
            // A file that passed, later swapped for a link to the hub's files, is refused where it would be opened.
            let file = try await Self.siteFile()
            let registered = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: admin,
                json: ["name": "till", "engine": "sqlite", "database": file])
            let id = try #require(try registered.jsonObject()["id"] as? String)
            try FileManager.default.removeItem(atPath: file)
            try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: hub.configuration.systemDatabaseFile.path)
            let tables = try await hub.send(.GET, "/api/v1/tenants/shop/remote-databases/\(id)/tables", token: admin)
            #expect(tables.status == .unprocessableEntity && !tables.body.string.contains("users"), "\(tables.body.string)")
        }
        try await TestHub.run(adjust: { $0.sqliteRemoteDirectory = nil }) { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let response = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: admin,
                json: ["name": "till", "engine": "sqlite", "database": try await Self.siteFile()])
            #expect(
                response.status == .unprocessableEntity && response.errorMessage?.contains("BERQENAS_SQLITE_REMOTE_DIR") == true,
                "none by default: \(response.body.string)")
        }
    }

    @Test func theDataDirectoryAndWhatIsInItAreTheHubsAlone() async throws {
        let data = TemporaryDirectory.make()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: data.path)
        try await TestHub.run(dataDirectory: data) { hub in
            try await hub.createTenant("shop", adminToken: try await hub.token())
            func mode(_ url: URL) throws -> Int {
                try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
            }
            #expect(try mode(data) == 0o700, "an existing world-readable directory is closed at start")
            for file in [
                hub.configuration.systemDatabaseFile, hub.configuration.masterKeyFile,
                hub.configuration.tenantStoreDirectory.appendingPathComponent("shop.sqlite"),
            ] {
                let bits = try mode(file)
                #expect(bits & 0o077 == 0, "\(file.lastPathComponent): \(String(bits, radix: 8))")
            }
        }
    }
}
