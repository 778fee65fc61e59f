import FluentKit
import Foundation

/// A machine on a tenant's network. A revoked peer keeps its row (for the record); its address is held
/// for the grace period, then released (`address` nil, `released_address` kept).
package final class VPNPeer: Model, @unchecked Sendable {
    package static let schema = "vpn_peers"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "network_id") package var networkID: UUID
    @Field(key: "name") package var name: String
    @Field(key: "public_key") package var publicKey: String
    /// Unique within the network while held (NULLs do not collide).
    @OptionalField(key: "address") package var address: String?
    @OptionalField(key: "released_address") package var releasedAddress: String?
    /// Set when the hub generated the key pair: the private key sealed, for the config download.
    @OptionalField(key: "private_key_sealed") package var privateKeySealed: String?
    @OptionalField(key: "persistent_keepalive") package var persistentKeepalive: Int?
    @OptionalField(key: "revoked_at") package var revokedAt: Date?
    /// Measured by the status poller from `wg show dump`.
    @OptionalField(key: "latest_handshake") package var latestHandshake: Date?
    @OptionalField(key: "endpoint") package var endpoint: String?
    /// Bytes received from / sent to the peer since it was added: the interface's counters reset when it
    /// restarts, so the poller adds the growth of each counter (or the whole counter after a reset).
    @Field(key: "rx_bytes") package var receivedBytes: Int64
    @Field(key: "tx_bytes") package var sentBytes: Int64
    @Field(key: "rx_counter") package var lastReceivedCounter: Int64
    @Field(key: "tx_counter") package var lastSentCounter: Int64
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    /// Whether the peer counted as connected when the poller last looked (a change becomes an event).
    @Field(key: "connected") package var wasConnected: Bool

    package init() {}

    /// How recent a handshake must be for the peer to count as connected.
    package static let connectedWithin: TimeInterval = 180

    package func isConnected(at now: Date = Date()) -> Bool {
        latestHandshake.map { now.timeIntervalSince($0) < Self.connectedWithin } ?? false
    }

    /// The new connection state when it differs from the last one seen (then remembered), nil otherwise.
    func connectionChange(at now: Date = Date()) -> Bool? {
        let connected = isConnected(at: now)
        guard connected != wasConnected else { return nil }
        wasConnected = connected
        return connected
    }

    /// Takes a new reading of the interface's counters for this peer; returns whether anything changed.
    func record(handshake: Date?, endpoint: String?, receivedCounter: UInt64, sentCounter: UInt64) -> Bool {
        let received = Int64(clamping: receivedCounter)
        let sent = Int64(clamping: sentCounter)
        let changed =
            handshake != latestHandshake || endpoint != self.endpoint
            || received != lastReceivedCounter || sent != lastSentCounter
        receivedBytes += received >= lastReceivedCounter ? received - lastReceivedCounter : received
        sentBytes += sent >= lastSentCounter ? sent - lastSentCounter : sent
        lastReceivedCounter = received
        lastSentCounter = sent
        latestHandshake = handshake
        self.endpoint = endpoint
        return changed
    }
}
