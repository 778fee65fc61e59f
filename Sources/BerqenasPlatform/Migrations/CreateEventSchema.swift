import FluentKit
import FluentSQL

/// The event log, and the peer's last known connection state it is derived from.
package struct CreateEventSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(PlatformEvent.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("message", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        try await database.schema(VPNPeer.schema)
            .field("connected", .bool, .required, .sql(.default(false)))
            .update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(VPNPeer.schema).deleteField("connected").update()
        try await database.schema(PlatformEvent.schema).delete()
    }
}
