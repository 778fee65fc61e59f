import FluentKit
import SQLKit

/// The event log in its final shape: platform events (no tenant), the tenant's name, a JSON `data` object,
/// and indexes for following a tenant and for pruning by age. The first event table's rows are copied over.
package struct CreateEventLog: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(PlatformEvent.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("tenant_id", .uuid, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("tenant", .string)
            .field("kind", .string, .required)
            .field("subject", .string, .required)
            .field("message", .string, .required)
            .field("data", .string, .required, .sql(.default("{}")))
            .field("occurred_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX event_log_tenant_id ON event_log (tenant_id, id)").run()
        try await sql.raw("CREATE INDEX event_log_occurred_at ON event_log (occurred_at)").run()
        try await sql.raw(
            """
            INSERT INTO event_log (id, tenant_id, tenant, kind, subject, message, data, occurred_at)
            SELECT events.id, events.tenant_id, tenants.name, events.kind, events.subject, events.message, '{}', events.occurred_at
            FROM events JOIN tenants ON tenants.id = events.tenant_id
            """
        ).run()
        if sql.dialect.name == "postgresql" {
            // Rows were copied with their numbers: the identity continues after them.
            try await sql.raw(
                "SELECT setval(pg_get_serial_sequence('event_log', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM event_log), false)"
            ).run()
        }
        try await database.schema("events").delete()
    }

    package func revert(on database: any Database) async throws {
        try await CreateEventSchema.createEventTable(on: database)
        try await database.schema(PlatformEvent.schema).delete()
    }
}
