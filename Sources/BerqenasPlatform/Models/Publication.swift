import FluentKit
import Foundation

/// A site's TCP service published on a hub port: the hub accepts connections on `public_port` from the
/// allowed networks and forwards them through the tunnel to the peer's address and `target_port`.
public final class Publication: Model, @unchecked Sendable {
    public static let schema = "publications"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "peer_id") public var peerID: UUID
    @Field(key: "target_port") public var targetPort: Int
    /// Unique across all tenants (the database keeps them apart).
    @Field(key: "public_port") public var publicPort: Int
    /// CIDRs separated by commas, normalized.
    @Field(key: "allowed_cidrs") public var allowedCIDRs: String
    @Field(key: "enabled") public var enabled: Bool
    /// Totals, added to as the firewall's counters or the relay report traffic.
    @Field(key: "connections") public var connections: Int64
    @Field(key: "bytes_in") public var bytesIn: Int64
    @Field(key: "bytes_out") public var bytesOut: Int64
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public var allowedList: [String] { allowedCIDRs.split(separator: ",").map(String.init) }
}
