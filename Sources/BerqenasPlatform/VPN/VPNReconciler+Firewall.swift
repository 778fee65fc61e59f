import BerqenasNetwork
import FluentKit
import Foundation

/// How published services reach their sites.
package enum PublishingMode: String, Sendable {
    /// nftables DNAT and masquerade (the kernel forwards; counted by named counters).
    case nat
    /// The hub's TCP relay (each connection logged with its bytes).
    case relay
    /// The `none` VPN backend: stored, nothing applied.
    case none
}

extension VPNReconciler {
    /// Replaces the `inet berqenas` nftables table with the rules for the enabled networks and, in `nat`
    /// mode, the enabled publications (one transaction, and only when the rules changed); in `relay` mode
    /// starts and stops relays instead. Isolation is the point of the table, so a failure here marks every
    /// network in error. Calls run one after another, each reading the database afresh, so a pass that read
    /// the publications before a change cannot load its stale rules after the change's own pass.
    package func applyFirewall() async {
        guard wireGuard != nil else { return await announce() }
        let previous = firewallQueue
        let pass = Task {
            await previous?.value
            await self.loadFirewall()
        }
        firewallQueue = pass
        await pass.value
    }

    private func loadFirewall() async {
        guard let wireGuard else { return }
        do {
            let enabled = try await Tenant.active(try await VPNNetwork.query(on: database).filter(\.$enabled == true).all(), on: database)
            let networks = try enabled.map {
                IsolationRuleset.TenantNetwork(
                    interface: $0.interfaceName, network: try IPv4Network(parsing: $0.network),
                    spokeToSpoke: $0.spokeToSpoke)
            }
            let published = try await publishedServices(in: enabled)
            let natServices = publishing == .nat ? published.map(\.service) : []
            if publishing == .relay { await relays.sync(published.map(\.service)) }
            var delta: [UUID: PublicationTraffic] = [:]
            if networks.isEmpty, natServices.isEmpty {
                if loadedFirewall != nil {
                    try await wireGuard.runner.run(Self.nft, ["-f", "-"], input: IsolationRuleset.removal)
                    loadedFirewall = nil
                }
            } else {
                let script = IsolationRuleset(
                    networks: networks, pool: pool, publications: natServices, forwardFrom: settings.forwardFrom
                ).script
                // Counters are read before the table is replaced (which zeroes them); a table that vanished
                // (someone flushed the ruleset) is loaded again.
                let readings = loadedFirewall == nil ? nil : await readCounters(wireGuard)
                if let readings { delta = countTraffic(natServices: published, readings: readings) }
                if readings == nil || script != loadedFirewall {
                    try await wireGuard.runner.run(Self.nft, ["-f", "-"], input: script)
                    loadedFirewall = script
                    countedTraffic = [:]
                }
            }
            if !natServices.isEmpty || networks.contains(where: \.spokeToSpoke) || !networks.isEmpty && !settings.forwardFrom.isEmpty {
                try enableForwarding()
            }
            isolationFailure = nil
            try await record(delta)
        } catch {
            isolationFailure = "firewall rules: \(String(describing: error))"
            logger.error("VPN firewall rules could not be applied: \(String(describing: error))")
        }
    }

    /// Adds the traffic measured since the last reading to the publications' totals (for `…/stats`).
    package func collectPublicationTraffic() async throws {
        guard let wireGuard else { return }
        let enabled = try await Tenant.active(try await VPNNetwork.query(on: database).filter(\.$enabled == true).all(), on: database)
        let published = try await publishedServices(in: enabled)
        var delta: [UUID: PublicationTraffic] = [:]
        if publishing == .nat, loadedFirewall != nil,
            let readings = await readCounters(wireGuard)
        {
            delta = countTraffic(natServices: published, readings: readings)
        }
        try await record(delta)
    }

    /// The Berqenas table's named counters, or nil when the table cannot be listed (it is gone).
    private func readCounters(_ wireGuard: LinuxWireGuard) async -> [String: NftCounters.Reading]? {
        try? NftCounters.parse(await wireGuard.runner.run(Self.nft, NftCounters.listArguments))
    }

    /// A publication's state, with the failure when it is `error`: as this server applied it, or as the
    /// gateway server reported it.
    package func state(of publication: Publication, peerActive: Bool, networkEnabled: Bool) async -> (state: PublicationState, error: String?) {
        guard publication.enabled else { return (.disabled, nil) }
        guard peerActive, networkEnabled else { return (.waiting, nil) }
        guard wireGuard != nil else {
            return await reportedState(of: "publication:\(publication.id?.uuidString ?? "")", else: .notApplied)
        }
        return await appliedState(of: publication)
    }

    /// An enabled publication's state as this server applied it.
    func appliedState(of publication: Publication) async -> (state: PublicationState, error: String?) {
        guard wireGuard != nil else { return (.notApplied, nil) }
        if let isolationFailure { return (.error, isolationFailure) }
        if let id = publication.id, let failure = await relays.failure(of: PublicationTrafficStore.key(id)) { return (.error, failure) }
        return (.active, nil)
    }

    /// Enabled publications whose peer is active on an enabled network, as services to forward.
    private func publishedServices(in networks: [VPNNetwork]) async throws -> [(id: UUID, service: PublishedService)] {
        let networkIDs = Set(networks.compactMap(\.id))
        let publications = try await Publication.query(on: database).filter(\.$enabled == true).all()
        guard !publications.isEmpty else { return [] }
        let peers = try await VPNPeer.query(on: database).filter(\.$id ~~ publications.map(\.peerID)).filter(\.$revokedAt == nil).all()
        let targets = Dictionary(
            peers.compactMap { peer -> (UUID, IPv4Address)? in
                guard let id = peer.id, networkIDs.contains(peer.networkID), let address = peer.address.flatMap(IPv4Address.init) else { return nil }
                return (id, address)
            }, uniquingKeysWith: { first, _ in first })
        return publications.compactMap { publication in
            guard let id = publication.id, let target = targets[publication.peerID] else { return nil }
            let allowed = publication.allowedList.compactMap { try? IPv4Network(parsing: $0) }
            return (
                id,
                PublishedService(
                    key: PublicationTrafficStore.key(id), publicPort: publication.publicPort, allowed: allowed,
                    bind: settings.publicBind, target: target, targetPort: publication.targetPort)
            )
        }
    }

    /// The growth of each publication's counters since they were last counted (no suspension inside, so
    /// two readers never count the same bytes twice).
    private func countTraffic(
        natServices published: [(id: UUID, service: PublishedService)],
        readings: [String: NftCounters.Reading]
    ) -> [UUID: PublicationTraffic] {
        var delta: [UUID: PublicationTraffic] = [:]
        for (id, service) in published {
            let now = NftCounters.traffic(of: service, in: readings)
            delta[id] = now.since(countedTraffic[service.key] ?? .zero)
            countedTraffic[service.key] = now
        }
        return delta
    }

    /// Adds the counted traffic and what the relays carried (also relays closed since) to the totals.
    private func record(_ delta: [UUID: PublicationTraffic]) async throws {
        var total = delta
        if publishing == .relay {
            for (key, traffic) in await relays.takeTraffic() {
                guard let id = UUID(hexKey: key) else { continue }
                total[id, default: .zero] = total[id, default: .zero] + traffic
            }
        }
        try await PublicationTrafficStore.add(total, on: database)
    }

    /// Publications, spoke-to-spoke traffic and the hub's other servers' connections are forwarded by the hub: IPv4 forwarding must be on.
    private func enableForwarding() throws {
        guard !forwardingEnabled else { return }
        let path = "/proc/sys/net/ipv4/ip_forward"
        if (try? String(contentsOfFile: path, encoding: .utf8))?.hasPrefix("1") != true {
            try "1\n".write(toFile: path, atomically: false, encoding: .utf8)
            logger.notice("VPN: turned IPv4 forwarding on (net.ipv4.ip_forward=1) for publications, spoke-to-spoke traffic, other hub servers")
        }
        forwardingEnabled = true
    }
}

extension UUID {
    /// A UUID from its 32 hex digits without dashes.
    init?(hexKey key: String) {
        guard key.count == 32 else { return nil }
        let chars = Array(key)
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }
        self.init(uuidString: groups.joined(separator: "-"))
    }
}
