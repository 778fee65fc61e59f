import FluentKit
import Foundation

/// A machine on a tenant's network. A revoked peer keeps its row (for the record); its address is held
/// for the grace period, then released (`address` nil, `released_address` kept).
public final class VPNPeer: Model, @unchecked Sendable {
    public static let schema = "vpn_peers"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "network_id") public var networkID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "public_key") public var publicKey: String
    /// Unique within the network while held (NULLs do not collide).
    @OptionalField(key: "address") public var address: String?
    @OptionalField(key: "released_address") public var releasedAddress: String?
    /// Set when the hub generated the key pair: the private key sealed, for the config download.
    @OptionalField(key: "private_key_sealed") public var privateKeySealed: String?
    @OptionalField(key: "persistent_keepalive") public var persistentKeepalive: Int?
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    /// Measured by the status poller from `wg show dump`.
    @OptionalField(key: "latest_handshake") public var latestHandshake: Date?
    @OptionalField(key: "endpoint") public var endpoint: String?
    /// Bytes received from / sent to the peer since it was added: the interface's counters reset when it
    /// restarts, so the poller adds the growth of each counter (or the whole counter after a reset).
    @Field(key: "rx_bytes") public var receivedBytes: Int64
    @Field(key: "tx_bytes") public var sentBytes: Int64
    @Field(key: "rx_counter") public var lastReceivedCounter: Int64
    @Field(key: "tx_counter") public var lastSentCounter: Int64
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Whether the peer counted as connected when the poller last looked (a change becomes an event).
    @Field(key: "connected") public var wasConnected: Bool

    public init() {}

    /// How recent a handshake must be for the peer to count as connected.
    public static let connectedWithin: TimeInterval = 180

    public func isConnected(at now: Date = Date()) -> Bool {
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
        let received = Int64(clamping: receivedCounter), sent = Int64(clamping: sentCounter)
        let changed = handshake != latestHandshake || endpoint != self.endpoint
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
