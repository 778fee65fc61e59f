/// A peer as the hub wants it on an interface.
package struct DesiredPeer: Sendable, Equatable {
    package var publicKey: String
    /// The peer's tunnel address as `/32`.
    package var allowedIP: String
    package var persistentKeepalive: Int?

    package init(publicKey: String, allowedIP: String, persistentKeepalive: Int?) {
        self.publicKey = publicKey
        self.allowedIP = allowedIP
        self.persistentKeepalive = persistentKeepalive
    }
}

/// One `wg set` step.
package enum PeerChange: Sendable, Equatable {
    case set(DesiredPeer)
    case remove(publicKey: String)
}

/// The difference between the peers an interface has and the ones wanted: peers already right are not
/// touched (their sessions live on), others are set or removed one by one.
package enum PeerReconciliation {
    package static func changes(desired: [DesiredPeer], current: [WireGuardDump.Peer]) -> [PeerChange] {
        let wanted = Dictionary(desired.map { ($0.publicKey, $0) }, uniquingKeysWith: { first, _ in first })
        let present = Dictionary(current.map { ($0.publicKey, $0) }, uniquingKeysWith: { first, _ in first })
        var changes: [PeerChange] = current.filter { wanted[$0.publicKey] == nil }.map { .remove(publicKey: $0.publicKey) }
        for peer in desired {
            if let existing = present[peer.publicKey], existing.allowedIPs == [peer.allowedIP],
                existing.persistentKeepalive == peer.persistentKeepalive
            {
                continue
            }
            changes.append(.set(peer))
        }
        return changes
    }
}
