import FluentKit
import Foundation

/// A site's TCP service published on a hub port: the hub accepts connections on `public_port` from the
/// allowed networks and forwards them through the tunnel to the peer's address and `target_port`.
package final class Publication: Model, @unchecked Sendable {
    package static let schema = "publications"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "peer_id") package var peerID: UUID
    @Field(key: "target_port") package var targetPort: Int
    /// Unique across all tenants (the database keeps them apart).
    @Field(key: "public_port") package var publicPort: Int
    /// CIDRs separated by commas, normalized.
    @Field(key: "allowed_cidrs") package var allowedCIDRs: String
    @Field(key: "enabled") package var enabled: Bool
    /// Totals, added to as the firewall's counters or the relay report traffic.
    @Field(key: "connections") package var connections: Int64
    @Field(key: "bytes_in") package var bytesIn: Int64
    @Field(key: "bytes_out") package var bytesOut: Int64
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}

    package var allowedList: [String] { allowedCIDRs.split(separator: ",").map(String.init) }
}
