import FluentKit
import Foundation

/// A tenant's WireGuard network: its slot in the address pool, its interface and UDP port, and the hub's
/// key pair on it (the private key sealed). Kept when the VPN is disabled, so enabling again restores it.
package final class VPNNetwork: Model, @unchecked Sendable {
    package static let schema = "vpn_networks"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    /// The tenant network's index in the pool (unique: the database keeps networks apart).
    @Field(key: "pool_slot") package var poolSlot: Int
    @Field(key: "network") package var network: String
    @Field(key: "listen_port") package var listenPort: Int
    @Field(key: "interface_name") package var interfaceName: String
    @Field(key: "hub_private_key_sealed") package var hubPrivateKeySealed: String
    @Field(key: "hub_public_key") package var hubPublicKey: String
    @Field(key: "enabled") package var enabled: Bool
    /// Whether the tenant's peers may reach each other through the hub (off by default).
    @Field(key: "spoke_to_spoke") package var spokeToSpoke: Bool
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}
