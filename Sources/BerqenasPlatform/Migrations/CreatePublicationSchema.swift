import FluentKit

/// Published services; public ports are unique across tenants.
package struct CreatePublicationSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(Publication.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("peer_id", .uuid, .required, .references(VPNPeer.schema, .id, onDelete: .cascade))
            .field("target_port", .int, .required)
            .field("public_port", .int, .required)
            .field("allowed_cidrs", .string, .required)
            .field("enabled", .bool, .required)
            .field("connections", .int64, .required)
            .field("bytes_in", .int64, .required)
            .field("bytes_out", .int64, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "public_port")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(Publication.schema).delete()
    }
}
