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
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public var isActive: Bool { revokedAt == nil }
}
