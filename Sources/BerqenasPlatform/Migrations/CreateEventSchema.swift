import FluentKit
import FluentSQL

/// The first event table (`CreateEventLog` replaces it), and the peer's last known connection state.
package struct CreateEventSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await Self.createEventTable(on: database)
        try await database.schema(VPNPeer.schema)
            .field("connected", .bool, .required, .sql(.default(false)))
            .update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(VPNPeer.schema).deleteField("connected").update()
        try await database.schema("events").delete()
    }

    /// The first event table, by its own name (the model now lives in `event_log`).
    static func createEventTable(on database: any Database) async throws {
        try await database.schema("events")
            .field(.id, .int, .identifier(auto: true))
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("message", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
    }
}
