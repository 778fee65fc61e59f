import BerqenasNetwork
import FluentKit
import Foundation

/// What the status poller last recorded for a peer.
struct PeerStatusReading: Sendable, Equatable {
    var handshake: Date?
    var endpoint: String?
    var received: UInt64
    var sent: UInt64
    var connected: Bool

    /// Whether the interface reports something else now.
    func differs(from reading: WireGuardDump.Peer) -> Bool {
        reading.latestHandshake != handshake || reading.endpoint != endpoint || reading.receivedBytes != received
            || reading.sentBytes != sent
    }
}

extension VPNReconciler {
    /// Polls the status without reading every peer: only peers whose reading changed since the last one
    /// recorded, and connected peers whose handshake may have grown too old, are loaded and written.
    func refreshStatus(from dump: [WireGuardDump.Peer], networkID: UUID) async throws {
        let memory = statusMemory[networkID] ?? [:]
        var suspects = Set(dump.filter { memory[$0.publicKey]?.differs(from: $0) ?? true }.map(\.publicKey))
        let now = Date()
        for (key, known) in memory where known.connected {
            if !(known.handshake.map { now.timeIntervalSince($0) < VPNPeer.connectedWithin } ?? false) { suspects.insert(key) }
        }
        guard !suspects.isEmpty else { return }
        var peers: [VPNPeer] = []
        let keys = Array(suspects)
        for start in stride(from: 0, to: keys.count, by: 500) {
            peers += try await VPNPeer.query(on: database).filter(\.$networkID == networkID).filter(\.$revokedAt == nil)
                .filter(\.$publicKey ~~ Array(keys[start..<min(start + 500, keys.count)])).all()
        }
        // Suspects the database no longer has as active (revoked since) are forgotten.
        let found = Set(peers.map(\.publicKey))
        for key in suspects where !found.contains(key) { statusMemory[networkID]?[key] = nil }
        try await recordStatus(of: peers, from: dump, networkID: networkID, complete: false)
    }

    /// Stores each peer's handshake, endpoint and byte counts as `wg show dump` reports them (only peers
    /// whose reading changed are written); a peer that connected, or whose last handshake grew too old,
    /// becomes an event. `complete`: `peers` are all the network's active peers (the memory starts over).
    func recordStatus(of peers: [VPNPeer], from dump: [WireGuardDump.Peer], networkID: UUID, complete: Bool) async throws {
        let byKey = Dictionary(dump.map { ($0.publicKey, $0) }, uniquingKeysWith: { first, _ in first })
        if complete { statusMemory[networkID] = [:] }
        for peer in peers {
            var changed = false
            let reading = byKey[peer.publicKey]
            if let reading {
                changed = peer.record(
                    handshake: reading.latestHandshake, endpoint: reading.endpoint,
                    receivedCounter: reading.receivedBytes, sentCounter: reading.sentBytes)
            }
            let connection = peer.connectionChange()
            if changed || connection != nil { try await peer.save(on: database) }
            statusMemory[networkID, default: [:]][peer.publicKey] = PeerStatusReading(
                handshake: peer.latestHandshake, endpoint: peer.endpoint,
                received: reading?.receivedBytes ?? UInt64(max(0, peer.lastReceivedCounter)),
                sent: reading?.sentBytes ?? UInt64(max(0, peer.lastSentCounter)), connected: peer.wasConnected)
            if let connected = connection {
                try await events.record(
                    connected ? .vpnPeerConnected : .vpnPeerDisconnected, tenantID: peer.tenantID,
                    subject: "vpn-peer:\(try peer.requireID())",
                    message: connected
                        ? "peer '\(peer.name)' connected from \(peer.endpoint ?? "an unknown endpoint")"
                        : "peer '\(peer.name)' has had no handshake for \(Int(VPNPeer.connectedWithin)) s",
                    data: [("peer_id", .id(try peer.requireID())), ("peer", .string(peer.name))])
            }
        }
    }
}
