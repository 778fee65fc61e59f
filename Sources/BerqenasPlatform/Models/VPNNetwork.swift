import FluentKit
import Foundation

/// A tenant's WireGuard network: its slot in the address pool, its interface and UDP port, and the hub's
/// key pair on it (the private key sealed). Kept when the VPN is disabled, so enabling again restores it.
public final class VPNNetwork: Model, @unchecked Sendable {
    public static let schema = "vpn_networks"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    /// The tenant network's index in the pool (unique: the database keeps networks apart).
    @Field(key: "pool_slot") public var poolSlot: Int
    @Field(key: "network") public var network: String
    @Field(key: "listen_port") public var listenPort: Int
    @Field(key: "interface_name") public var interfaceName: String
    @Field(key: "hub_private_key_sealed") public var hubPrivateKeySealed: String
    @Field(key: "hub_public_key") public var hubPublicKey: String
    @Field(key: "enabled") public var enabled: Bool
    /// Whether the tenant's peers may reach each other through the hub (off by default).
    @Field(key: "spoke_to_spoke") public var spokeToSpoke: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}
