import BerqenasTestSupport
import Crypto
import FluentKit
import Foundation
import Testing
import Vapor

@testable import BerqenasPlatform
@testable import BerqenasServer

/// `berqenas rotate-master-key`: every stored secret re-sealed under the new key, the old key refused after.
struct MasterKeyRotationTests {
    static func newKey() -> String { MasterKeyLoader.encoded(SymmetricKey(size: .bits256)) }

    /// Every sealed secret of the hub, opened with `secrets`.
    static func openedSecrets(_ secrets: SecretBox, on database: any Database) async throws -> [String] {
        var opened: [String] = []
        for remote in try await RemoteDatabase.query(on: database).sort(\.$name).all() {
            opened.append(try secrets.open(remote.passwordSealed, context: RemoteDatabaseService.secretContext(remote.requireID())))
        }
        for tenant in try await Tenant.query(on: database).sort(\.$name).all() {
            if let sealed = tenant.rolePasswordSealed { opened.append(try secrets.open(sealed, context: TenantService.secretContext(tenant.name))) }
        }
        for network in try await VPNNetwork.query(on: database).all() {
            opened.append(try secrets.open(network.hubPrivateKeySealed, context: VPNService.hubKeyContext(network.tenantID)))
        }
        for peer in try await VPNPeer.query(on: database).sort(\.$name).all() {
            if let sealed = peer.privateKeySealed { opened.append(try secrets.open(sealed, context: VPNPeerService.keyContext(peer.requireID()))) }
        }
        for channel in try await AlertChannel.query(on: database).sort(\.$name).all() {
            if let sealed = channel.secretSealed {
                opened.append(try secrets.open(sealed, context: AlertChannels.secretContext(channel.requireID())))
            }
        }
        return opened
    }

    @Test(arguments: HubEngine.available)
    func everySecretIsResealedAndTheOldKeyNoLongerOpensTheHub(_ engine: HubEngine) async throws {
        let mode = try await engine.makeMode()
        let dataDirectory = TemporaryDirectory.make()
        let (oldKey, newKey) = (Self.newKey(), Self.newKey())
        let name = TenantTests.unique("keys")
        let (before, peerID) = try await TestHub.run(mode, dataDirectory: dataDirectory, masterKeyBase64: oldKey) { hub in
            let admin = try await hub.token()
            try await hub.createTenant(name, adminToken: admin)
            let remote = try await hub.send(
                .POST, "/api/v1/tenants/\(name)/remote-databases", token: admin,
                json: ["name": "till", "engine": "sqlite", "database": try await HubResourceAttackTests.siteFile()])
            #expect(remote.status == .created, "\(remote.body.string)")
            #expect(try await hub.send(.PUT, "/api/v1/tenants/\(name)/vpn", token: admin, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "/api/v1/tenants/\(name)/vpn/peers", token: admin, json: ["name": "till"]).jsonObject()
            let channel = try await hub.send(
                .POST, "/api/v1/tenants/\(name)/alert-channels", token: admin,
                json: ["name": "hook", "type": "webhook", "settings": ["url": "https://hooks.example.test/x", "secret": "0123456789abcdef"]])
            #expect(channel.status == .created, "\(channel.body.string)")
            let opened = try await Self.openedSecrets(hub.app.berqenas.platform.secrets, on: hub.app.db)
            return (opened, try #require(peer["id"] as? String))
        }
        #expect(before.count >= 4, "a remote password, the hub's and the peer's WireGuard keys, a channel secret: \(before.count)")

        // A rotation that starts from a wrong key changes nothing.
        try await Self.withDatabase(mode, dataDirectory) { app, configuration in
            var wrong = configuration
            wrong.masterKeyBase64 = Self.newKey()
            await #expect(throws: PlatformError.self) {
                _ = try await BerqenasServer.rotateMasterKey(app, configuration: wrong, to: SymmetricKey(size: .bits256))
            }
            let old = SecretBox(key: try MasterKeyLoader.decode(oldKey, source: "old"))
            let unchanged = try await Self.openedSecrets(old, on: app.db)
            #expect(unchanged == before)
        }
        // The rotation.
        try await Self.withDatabase(mode, dataDirectory) { app, configuration in
            var current = configuration
            current.masterKeyBase64 = oldKey
            let counts = try await BerqenasServer.rotateMasterKey(
                app, configuration: current, to: try MasterKeyLoader.decode(newKey, source: "new"))
            #expect(counts.total == before.count, "\(counts)")
        }
        // The hub starts with the new key, and every secret opens to what it was.
        try await TestHub.run(mode, dataDirectory: dataDirectory, masterKeyBase64: newKey) { hub in
            #expect(try await Self.openedSecrets(hub.app.berqenas.platform.secrets, on: hub.app.db) == before)
            let admin = try await hub.token()
            let config = try await hub.send(.GET, "/api/v1/tenants/\(name)/vpn/peers/\(peerID)/config", token: admin)
            #expect(config.status == .ok && config.body.string.contains("PrivateKey"), "\(config.body.string)")
        }
        // The old key no longer opens it.
        do {
            try await TestHub.run(mode, dataDirectory: dataDirectory, masterKeyBase64: oldKey) { _ in }
            Issue.record("the old key still opened the hub")
        } catch let error as PlatformError {
            #expect(error.code == "master_key_mismatch")
        }
    }

    /// An application on the hub's system database (nothing served), as the CLI command has it.
    static func withDatabase(
        _ mode: TestHub.Mode, _ dataDirectory: URL, _ body: (Application, PlatformConfiguration) async throws -> Void
    ) async throws {
        var configuration = PlatformConfiguration(dataDirectory: dataDirectory)
        if case let .postgresql(url) = mode { configuration.databaseURL = url }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await body(app, configuration)
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
