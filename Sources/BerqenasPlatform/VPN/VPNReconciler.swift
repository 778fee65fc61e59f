import BerqenasNetwork
import FluentKit
import Foundation
import Logging
import Synchronization

/// Makes the machine's WireGuard interfaces match the database: at start, after every change, and every
/// few seconds (which also restarts a wireguard-go daemon that died). Only differences are applied, so
/// one peer coming or going never disturbs the others.
package actor VPNReconciler {
    let database: any Database
    let secrets: SecretBox
    /// Nil: the `none` backend (stored and rendered, nothing applied).
    nonisolated let wireGuard: LinuxWireGuard?
    let logger: Logger
    package nonisolated let backend: VPNSettings.Backend
    /// The last failure per network, cleared by a successful pass.
    private var failures: [UUID: String] = [:]
    var isolationFailure: String?
    /// The nftables script this hub last loaded; nil: none (a hub with no enabled network or publication
    /// leaves the host's firewall alone).
    var loadedFirewall: String?
    /// The publication counters' readings already added to the database, by counter name (they restart
    /// from zero whenever the table is replaced).
    var countedTraffic: [String: PublicationTraffic] = [:]
    /// Whether this hub turned IPv4 forwarding on (it never turns it off).
    var forwardingEnabled = false
    let pool: IPv4Network
    let settings: VPNSettings
    /// How published services reach their sites: `nat`, `relay`, or `none` (nothing applied).
    package nonisolated let publishing: PublishingMode
    let relays: PublicationRelays
    let events: EventLog
    /// Per network, what the status poller last recorded for each peer (by public key).
    var statusMemory: [UUID: [String: PeerStatusReading]] = [:]
    /// Periodic passes so far (every twelfth compares all peers).
    private var passes = 0
    /// Rung when another server announced a change (`changedElsewhere`).
    let wake = Doorbell()
    /// Whether the next pass compares every peer (a change announced by another server).
    nonisolated let fullPassWanted = Atomic(false)
    /// What this gateway last recorded for the other servers, by subject.
    var reportedFindings: [String: (state: String, error: String?)] = [:]
    private let loop: PeriodicLoop
    /// The last reconcile pass queued (passes run one after another).
    private var queue: Task<Void, Never>?
    /// The last firewall load queued (likewise).
    var firewallQueue: Task<Void, Never>?

    init(database: any Database, secrets: SecretBox, settings: VPNSettings, events: EventLog, logger: Logger) {
        self.database = database
        self.secrets = secrets
        self.logger = logger
        self.pool = settings.pool.pool
        self.settings = settings
        self.relays = PublicationRelays(logger: logger)
        self.events = events
        self.loop = PeriodicLoop(bell: wake)
        let chosen: LinuxWireGuard? =
            switch settings.backend {
            case .none: nil
            case .kernel: LinuxWireGuard(creation: .kernel)
            case .wireguardGo: LinuxWireGuard(creation: .userspace)
            // Interfaces need root (CAP_NET_ADMIN): a hub run by a user stores and renders only.
            case .automatic: getuid() == 0 ? LinuxWireGuard.detect() : nil
            }
        wireGuard = chosen
        backend =
            switch chosen?.creation {
            case .kernel?: .kernel
            case .userspace?: .wireguardGo
            case nil: .none
            }
        publishing =
            switch (chosen, settings.publishMode) {
            case (nil, _): .none
            case (_, .nat): .nat
            case (_, .relay): .relay
            case (_, .automatic): FileManager.default.isExecutableFile(atPath: Self.nft) ? .nat : .relay
            }
    }

    static let nft = "/usr/sbin/nft"

    /// The network's state, with the failure when it is `error`: as this server applied it, or as the gateway
    /// server reported it.
    package func state(of network: VPNNetwork?) async -> (state: VPNNetworkState, error: String?) {
        guard let network, network.enabled else { return (.down, nil) }
        guard wireGuard != nil else { return await reportedState(of: "network:\(network.id?.uuidString ?? "")", else: .notApplied) }
        return appliedState(of: network)
    }

    /// The network's state as this server applied it.
    func appliedState(of network: VPNNetwork) -> (state: VPNNetworkState, error: String?) {
        guard network.enabled else { return (.down, nil) }
        guard wireGuard != nil else { return (.notApplied, nil) }
        if let id = network.id, let failure = failures[id] ?? isolationFailure { return (.error, failure) }
        return (.up, nil)
    }

    /// Applies one network (and its peers); a failure is logged and shown in the network's state.
    /// Passes run one at a time, in call order, each reading the database afresh: a pass that read the
    /// peers before another pass added one cannot take that peer off again.
    package func reconcile(_ network: VPNNetwork, full: Bool = true) async {
        guard wireGuard != nil, let id = network.id else { return await announce() }
        let previous = queue
        let pass = Task {
            await previous?.value
            await self.apply(networkID: id, full: full)
        }
        queue = pass
        await pass.value
    }

    /// `full`: compare every wanted peer with the interface; otherwise only poll the status (peers come and
    /// go through `peerAdded`/`peerRemoved`, and every twelfth pass is full anyway).
    private func apply(networkID id: UUID, full: Bool) async {
        guard let wireGuard else { return }
        let found: VPNNetwork?
        do { found = try await VPNNetwork.find(id, on: database) } catch {
            logger.warning("VPN reconcile: \(String(describing: error))")
            return
        }
        guard let network = found else { return }
        do {
            if network.enabled, try await Tenant.isActive(network.tenantID, on: database) {
                let spec = try interfaceSpec(network)
                // The interface is read before the database: a peer added meanwhile (database first, then its
                // own `wg set`) is then never seen on the interface without being wanted, so never taken off.
                let current = try await wireGuard.ensure(spec)?.peers ?? []
                if full || current.isEmpty || statusMemory[id] == nil {
                    let peers = try await VPNPeer.query(on: database).filter(\.$networkID == id).filter(\.$revokedAt == nil).all()
                    let desired = peers.compactMap { peer in
                        peer.address.map {
                            DesiredPeer(publicKey: peer.publicKey, allowedIP: "\($0)/32", persistentKeepalive: peer.persistentKeepalive)
                        }
                    }
                    let changes = PeerReconciliation.changes(desired: desired, current: current)
                    if !changes.isEmpty { try await wireGuard.apply(changes, on: spec.name) }
                    try await recordStatus(of: peers, from: current, networkID: id, complete: true)
                } else {
                    try await refreshStatus(from: current, networkID: id)
                }
            } else {
                statusMemory[id] = nil
                try await wireGuard.remove(network.interfaceName)
            }
            if let previous = failures.removeValue(forKey: id) {
                await event(.vpnNetworkRecovered, network, "the VPN interface \(network.interfaceName) applies again (it had failed: \(previous))")
            }
        } catch {
            let message = String(describing: error)
            if failures.updateValue(message, forKey: id) == nil {
                await event(.vpnNetworkFailed, network, "the VPN interface \(network.interfaceName) could not be applied: \(message)")
            }
            logger.warning("VPN \(network.interfaceName): \(message)")
        }
    }

    /// Records an event about a network; the event log failing must not stop the VPN.
    private func event(_ kind: EventKind, _ network: VPNNetwork, _ message: String) async {
        guard let id = network.id else { return }
        do {
            try await events.record(
                kind, tenantID: network.tenantID, subject: "vpn-network:\(id)", message: message,
                data: [("network_id", .id(id)), ("interface", .string(network.interfaceName))])
        } catch {
            logger.warning("VPN event \(kind.rawValue) not recorded: \(String(describing: error))")
        }
    }

    /// Puts one peer on its network's interface at once (one `wg set`) without a full pass, so adding a peer
    /// costs the same with ten peers or ten thousand; if that fails, a full pass repairs the interface.
    package nonisolated func peerAdded(_ peer: VPNPeer, to network: VPNNetwork) async {
        guard let wireGuard else { return await announce() }
        guard network.enabled, let address = peer.address else { return }
        let change = PeerChange.set(
            DesiredPeer(
                publicKey: peer.publicKey, allowedIP: "\(address)/32",
                persistentKeepalive: peer.persistentKeepalive))
        await applyOne(change, wireGuard, network)
    }

    /// Takes one peer off its network's interface at once (its session ends there).
    package nonisolated func peerRemoved(_ peer: VPNPeer, from network: VPNNetwork) async {
        guard let wireGuard else { return await announce() }
        guard network.enabled else { return }
        await applyOne(.remove(publicKey: peer.publicKey), wireGuard, network)
    }

    private nonisolated func applyOne(_ change: PeerChange, _ wireGuard: LinuxWireGuard, _ network: VPNNetwork) async {
        let name = network.interfaceName
        do {
            try await wireGuard.apply([change], on: name)
        } catch {
            logger.warning("VPN \(name): a single peer change failed (\(String(describing: error))); reconciling the whole interface")
            await reconcile(network)
        }
    }

    /// Applies every network, then the isolation rules.
    package func reconcileAll() async {
        guard wireGuard != nil else { return await announce() }
        var networks: [VPNNetwork] = []
        do {
            passes += 1
            let wanted = fullPassWanted.exchange(false, ordering: .relaxed)
            let full = wanted || passes % 12 == 1
            networks = try await VPNNetwork.query(on: database).all()
            for network in networks { await reconcile(network, full: full) }
            try await removeStrayInterfaces(keeping: Set(networks.map(\.interfaceName)))
        } catch {
            logger.warning("VPN reconcile: \(String(describing: error))")
        }
        await applyFirewall()
        await recordReports(networks: networks)
    }

    /// Takes away Berqenas interfaces (`bq<n>`) no network in the database has any more: a tenant deleted
    /// for good takes its network with it.
    private func removeStrayInterfaces(keeping wanted: Set<String>) async throws {
        guard let wireGuard else { return }
        for name in try await wireGuard.berqenasInterfaces() where !wanted.contains(name) {
            logger.notice("VPN: removing \(name), which no tenant network uses any more")
            try await wireGuard.remove(name)
        }
    }

    /// Reconciles now and then every `interval`.
    package func start(interval: Duration = .seconds(5)) {
        guard wireGuard != nil else { return }
        loop.start(interval: interval) { [weak self] in
            await self?.answerChecks()
            await self?.reconcileAll()
            // Passes woken by notifications (which any login to the system database can send) run at most five
            // times a second.
            try? await Task.sleep(for: VPNReconciler.passSpacing)
        }
    }

    /// Stops the loop (at once between passes) and the daemons this hub started (their interfaces go with them).
    package func stop() async {
        await loop.stop()
        await withdrawReports()
        await relays.stopAll()
        wireGuard?.shutdown()
    }

    /// The interface as the database describes it, with the hub's private key unsealed (for `wg` only).
    private func interfaceSpec(_ network: VPNNetwork) throws -> InterfaceSpec {
        let tenantNetwork = try IPv4Network(parsing: network.network)
        let privateKey = try WireGuardKey(base64: secrets.open(network.hubPrivateKeySealed, context: VPNService.hubKeyContext(network.tenantID)))
        return InterfaceSpec(
            name: network.interfaceName, address: TenantAddressPool.hubAddress(in: tenantNetwork), network: tenantNetwork,
            listenPort: network.listenPort, privateKey: privateKey, publicKey: try WireGuardKey(base64: network.hubPublicKey))
    }
}
