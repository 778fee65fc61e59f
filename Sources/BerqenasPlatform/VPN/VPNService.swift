import BerqenasNetwork
import FluentKit
import Foundation
import Logging

/// Tenant WireGuard networks: allocation from the pool, the hub's keys, enabling and disabling.
///
/// Allocation takes the lowest free pool slot and port and lets the database's unique indexes settle races:
/// a request that loses one retries with what is free then, so concurrent requests never share a network.
package struct VPNService: Sendable {
    let database: any Database
    let secrets: SecretBox
    package let settings: VPNSettings
    package let reconciler: VPNReconciler

    package init(database: any Database, secrets: SecretBox, settings: VPNSettings, events: EventLog, logger: Logger) {
        self.database = database
        self.secrets = secrets
        self.settings = settings
        self.reconciler = VPNReconciler(database: database, secrets: secrets, settings: settings, events: events, logger: logger)
    }

    /// The tenant's network, if it was ever enabled.
    package func network(of tenant: Tenant) async throws -> VPNNetwork? {
        try await VPNNetwork.query(on: database).filter(\.$tenantID == tenant.requireID()).first()
    }

    /// Enables or disables the tenant's VPN. Enabling the first time allocates the network, port, interface
    /// and hub keys; disabling keeps them (and the peers) for the next enable. Nil: disabled, never allocated.
    package func setEnabled(_ enabled: Bool, spokeToSpoke: Bool? = nil, tenant: Tenant) async throws -> VPNNetwork? {
        let existing = try await network(of: tenant)
        let network: VPNNetwork?
        if let existing {
            existing.enabled = enabled
            if let spokeToSpoke { existing.spokeToSpoke = spokeToSpoke }
            try await existing.save(on: database)
            network = existing
        } else if enabled {
            network = try await allocate(for: tenant, spokeToSpoke: spokeToSpoke)
        } else {
            network = nil
        }
        tenant.vpnEnabled = enabled
        try await tenant.save(on: database)
        if let network {
            await reconciler.reconcile(network)
            await reconciler.applyFirewall()
        }
        return network
    }

    /// What applies the networks: the kernel, wireguard-go, or none (stored and rendered only).
    package var backend: VPNSettings.Backend { reconciler.backend }

    /// What applies the networks, as the API reports it: this server's backend, or the gateway server's.
    package func effectiveBackend() async -> VPNSettings.Backend { await reconciler.effectiveModes().backend }

    /// The network's state as the API reports it, with the last error when applying failed.
    package func state(of network: VPNNetwork?) async -> (state: VPNNetworkState, error: String?) {
        await reconciler.state(of: network)
    }

    /// `host:port` peers are given, when a public endpoint is configured.
    package func endpoint(of network: VPNNetwork) -> String? {
        settings.publicEndpoint.map { "\($0):\(network.listenPort)" }
    }

    static func hubKeyContext(_ tenantID: UUID) -> String { "vpn-hub-key:\(tenantID.uuidString)" }

    private func allocate(for tenant: Tenant, spokeToSpoke: Bool?) async throws -> VPNNetwork {
        let tenantID = try tenant.requireID()
        let keys = WireGuardKeyPair.generate()
        for _ in 0..<20 {
            let taken = try await VPNNetwork.query(on: database).all()
            let slot: Int
            do {
                slot = try settings.pool.firstFreeSlot(avoiding: taken.compactMap { try? IPv4Network(parsing: $0.network) })
            } catch let error as NetworkError {
                throw PlatformError.conflict("vpn_pool_exhausted", error.message)
            }
            let usedPorts = Set(taken.map(\.listenPort))
            guard let port = settings.ports.first(where: { !usedPorts.contains($0) }) else {
                throw PlatformError.conflict(
                    "vpn_ports_exhausted", "every port of BERQENAS_VPN_PORTS (\(settings.ports.lowerBound)-\(settings.ports.upperBound)) is taken")
            }
            let row = VPNNetwork()
            row.tenantID = tenantID
            row.poolSlot = slot
            row.network = try settings.pool.network(slot: slot).description
            row.listenPort = port
            row.interfaceName = Self.interfaceName(slot: slot)
            row.hubPrivateKeySealed = try secrets.seal(keys.privateKey.base64, context: Self.hubKeyContext(tenantID))
            row.hubPublicKey = keys.publicKey.base64
            row.enabled = true
            row.spokeToSpoke = spokeToSpoke ?? false
            do {
                try await row.create(on: database)
                return row
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // Another request took this slot or port (or enabled this tenant) first.
                if let mine = try await network(of: tenant) {
                    mine.enabled = true
                    if let spokeToSpoke { mine.spokeToSpoke = spokeToSpoke }
                    try await mine.save(on: database)
                    return mine
                }
                continue
            }
        }
        throw PlatformError.conflict("vpn_allocation_contended", "could not allocate a network under concurrent requests; try again")
    }

    /// The interface of the network in `slot`: `bq` and the slot number (at most 7 characters, within
    /// Linux's 15).
    static func interfaceName(slot: Int) -> String { "bq\(slot)" }
}
