import FluentKit
import Foundation
import SQLKit

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
            // PostgreSQL: no server writes a secret between this transaction's reads and its commit.
            if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
                try await sql.raw(
                    "LOCK TABLE remote_databases, tenants, vpn_networks, vpn_peers, alert_channels, system_settings IN EXCLUSIVE MODE"
                ).run()
            }
            try await refuseWhileServersWork(on: database)
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

    /// A server that runs a job, a continuous loop or an alert delivery holds a lease: its key would seal new
    /// secrets under the old key after the rotation. Every server must be stopped first.
    static func refuseWhileServersWork(on database: any Database, now: Date = Date()) async throws {
        let jobs = try await SyncJob.query(on: database).filter(\.$status == .running).filter(\.$leaseExpiresAt > now).count()
        let loops = try await RemoteDatabase.query(on: database).filter(\.$continuousLeaseUntil > now).count()
        let deliveries = try await AlertDelivery.query(on: database).filter(\.$leaseUntil > now).count()
        guard jobs + loops + deliveries == 0 else {
            throw PlatformError(
                code: "servers_running", status: 409,
                message: "servers of this hub are at work (\(jobs) running job(s), \(loops) continuous loop(s), \(deliveries) alert "
                    + "delivery(ies) hold leases): stop every server before rotating the master key")
        }
    }
}
