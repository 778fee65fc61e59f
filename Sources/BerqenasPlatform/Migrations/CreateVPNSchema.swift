import FluentKit

/// The VPN's system tables: one network per tenant, kept apart by unique pool slots, ports and interfaces,
/// and its peers, kept apart by unique addresses.
package struct CreateVPNSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(VPNNetwork.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("pool_slot", .int, .required)
            .field("network", .string, .required)
            .field("listen_port", .int, .required)
            .field("interface_name", .string, .required)
            .field("hub_private_key_sealed", .string, .required)
            .field("hub_public_key", .string, .required)
            .field("enabled", .bool, .required)
            .field("spoke_to_spoke", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "tenant_id")
            .unique(on: "pool_slot")
            .unique(on: "listen_port")
            .unique(on: "interface_name")
            .create()
        try await database.schema(VPNPeer.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("network_id", .uuid, .required, .references(VPNNetwork.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("public_key", .string, .required)
            .field("address", .string)
            .field("released_address", .string)
            .field("private_key_sealed", .string)
            .field("persistent_keepalive", .int)
            .field("revoked_at", .datetime)
            .field("latest_handshake", .datetime)
            .field("endpoint", .string)
            .field("rx_bytes", .int64, .required)
            .field("tx_bytes", .int64, .required)
            .field("rx_counter", .int64, .required)
            .field("tx_counter", .int64, .required)
            .field("created_at", .datetime)
            .unique(on: "network_id", "address")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(VPNPeer.schema).delete()
        try await database.schema(VPNNetwork.schema).delete()
    }
}
