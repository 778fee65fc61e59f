import FluentKit
import Foundation

/// Re-seals every stored secret under a new master key, in one transaction of the system database: remote
/// databases' passwords, tenants' store passwords, WireGuard private keys (the hub's per tenant network and the
/// peers' it generated), alert channels' secrets, and the start-up key check. Access tokens are signed with a
/// key derived from the master key, so the ones issued before stop working (refresh tokens go on).
package enum MasterKeyRotation {
    /// How many of each kind were re-sealed.
    package struct Counts: Sendable, Equatable, CustomStringConvertible {
        package var remoteDatabases = 0
        package var tenants = 0
        package var vpnNetworks = 0
        package var vpnPeers = 0
        package var alertChannels = 0

        package var total: Int { remoteDatabases + tenants + vpnNetworks + vpnPeers + alertChannels }

        package var description: String {
            "\(remoteDatabases) remote database password(s), \(tenants) tenant store password(s), \(vpnNetworks) hub WireGuard key(s), "
                + "\(vpnPeers) peer key(s), \(alertChannels) alert channel secret(s)"
        }
    }

    /// Re-seals everything sealed with `old` under `new`. Nothing changes unless all of it does.
    /// - Throws: `master_key_mismatch` when `old` is not this database's key; `secret_unreadable` when a stored
    ///   secret does not open (then nothing was changed).
    package static func rotate(from old: SecretBox, to new: SecretBox, on database: any Database) async throws -> Counts {
        try await MasterKeyCheck.verify(old, on: database)
        return try await database.transaction { database in
            var counts = Counts()
            func reseal(_ sealed: String, _ context: String) throws -> String {
                try new.seal(try old.open(sealed, context: context), context: context)
            }
            for remote in try await RemoteDatabase.query(on: database).all() {
                let id = try remote.requireID()
                let sealed = try reseal(remote.passwordSealed, RemoteDatabaseService.secretContext(id))
                try await RemoteDatabase.query(on: database).filter(\.$id == id).set(\.$passwordSealed, to: sealed).update()
                counts.remoteDatabases += 1
            }
            for tenant in try await Tenant.query(on: database).filter(\.$rolePasswordSealed != nil).all() {
                guard let stored = tenant.rolePasswordSealed else { continue }
                let sealed = try reseal(stored, TenantService.secretContext(tenant.name))
                try await Tenant.query(on: database).filter(\.$id == tenant.requireID()).set(\.$rolePasswordSealed, to: sealed).update()
                counts.tenants += 1
            }
            for network in try await VPNNetwork.query(on: database).all() {
                let sealed = try reseal(network.hubPrivateKeySealed, VPNService.hubKeyContext(network.tenantID))
                try await VPNNetwork.query(on: database).filter(\.$id == network.requireID()).set(\.$hubPrivateKeySealed, to: sealed)
                    .update()
                counts.vpnNetworks += 1
            }
            for peer in try await VPNPeer.query(on: database).filter(\.$privateKeySealed != nil).all() {
                guard let stored = peer.privateKeySealed else { continue }
                let id = try peer.requireID()
                let sealed = try reseal(stored, VPNPeerService.keyContext(id))
                try await VPNPeer.query(on: database).filter(\.$id == id).set(\.$privateKeySealed, to: sealed).update()
                counts.vpnPeers += 1
            }
            for channel in try await AlertChannel.query(on: database).filter(\.$secretSealed != nil).all() {
                guard let stored = channel.secretSealed else { continue }
                let id = try channel.requireID()
                let sealed = try reseal(stored, AlertChannels.secretContext(id))
                try await AlertChannel.query(on: database).filter(\.$id == id).set(\.$secretSealed, to: sealed).update()
                counts.alertChannels += 1
            }
            try await MasterKeyCheck.reseal(with: new, on: database)
            return counts
        }
    }
}
