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

        let (old, new) = (try Self.box(oldKey), try Self.box(newKey))
        try await Self.withDatabase(mode, dataDirectory) { database in
            // A rotation that starts from a wrong key changes nothing.
            await #expect(throws: PlatformError.self) {
                _ = try await MasterKeyRotation.rotate(from: try Self.box(Self.newKey()), to: new, on: database)
            }
            // Nor one while a server is at work (a continuous loop's lease, here).
            try await RemoteDatabase.query(on: database).set(\.$continuousLeaseUntil, to: Date().addingTimeInterval(60)).update()
            do {
                _ = try await MasterKeyRotation.rotate(from: old, to: new, on: database)
                Issue.record("a rotation ran while a server held a lease")
            } catch let error as PlatformError {
                #expect(error.code == "servers_running", "\(error.message)")
            }
            try await RemoteDatabase.query(on: database).set(\.$continuousLeaseUntil, to: nil).update()
            let unchanged = try await Self.openedSecrets(old, on: database)
            #expect(unchanged == before)
            // The rotation.
            let counts = try await MasterKeyRotation.rotate(from: old, to: new, on: database)
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

    static func box(_ base64: String) throws -> SecretBox {
        SecretBox(key: try MasterKeyLoader.decode(base64, source: "test key"))
    }

    /// The hub's system database, migrated, with nothing served (as the CLI command has it).
    static func withDatabase(_ mode: TestHub.Mode, _ dataDirectory: URL, _ body: (any Database) async throws -> Void) async throws {
        var configuration = PlatformConfiguration(dataDirectory: dataDirectory)
        if case let .postgresql(url) = mode { configuration.databaseURL = url }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await BerqenasServer.migrate(app, configuration: configuration)
            try await body(app.db)
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    @Test func aServerWhoseKeyWasRotatedUnderItIsNotReady() async throws {
        let oldKey = Self.newKey()
        try await TestHub.run(masterKeyBase64: oldKey) { hub in
            try await eventually("the hub becomes ready") { try await hub.send(.GET, "/ready").status == .ok }
            _ = try await MasterKeyRotation.rotate(from: try Self.box(oldKey), to: try Self.box(Self.newKey()), on: hub.app.db)
            let answer = try await hub.send(.GET, "/ready")
            #expect(answer.status == .serviceUnavailable && answer.body.string.contains("master_key"), "\(answer.body.string)")
        }
    }
}
