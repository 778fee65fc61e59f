import FluentKit
import SQLKit

/// Alert channels, rules, incidents and deliveries, and `unreachable_since` on remote databases (how long
/// one has failed, for `remote_unreachable_for`).
package struct CreateAlertSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(AlertChannel.schema)
            .id()
            .field("tenant_id", .uuid, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("settings_json", .string, .required)
            .field("secret_sealed", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(AlertRule.schema)
            .id()
            .field("tenant_id", .uuid, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("condition", .string, .required)
            .field("threshold", .int)
            .field("remote_database_id", .uuid, .references(RemoteDatabase.schema, .id, onDelete: .cascade))
            .field("channel_ids_json", .string, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.schema(AlertIncident.schema)
            .id()
            .field("rule_id", .uuid, .required, .references(AlertRule.schema, .id, onDelete: .cascade))
            .field("tenant_id", .uuid, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("subject", .string, .required)
            .field("details_json", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("resolved_at", .datetime)
            .create()
        try await database.schema(AlertDelivery.schema)
            .id()
            .field("tenant_id", .uuid, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("rule_id", .uuid, .references(AlertRule.schema, .id, onDelete: .setNull))
            .field("incident_id", .uuid, .references(AlertIncident.schema, .id, onDelete: .setNull))
            .field("channel_id", .uuid, .required, .references(AlertChannel.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("message_json", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("last_error", .string)
            .field("next_attempt_at", .datetime, .required)
            .field("give_up_at", .datetime, .required)
            .field("lease_owner", .string)
            .field("lease_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        try await database.schema(RemoteDatabase.schema).field("unreachable_since", .datetime).update()
        guard let sql = database as? any SQLDatabase else { return }
        // One open incident per rule and subject: the insert that loses a race fails instead of firing twice.
        try await sql.raw("CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (rule_id, subject) WHERE resolved_at IS NULL").run()
        try await sql.raw("CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at)").run()
        try await sql.raw("CREATE INDEX alert_deliveries_tenant ON alert_deliveries (tenant_id, created_at)").run()
        try await sql.raw("CREATE INDEX sync_jobs_remote_finished ON sync_jobs (remote_database_id, finished_at)").run()
    }

    package func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX sync_jobs_remote_finished").run()
        }
        try await database.schema(RemoteDatabase.schema).deleteField("unreachable_since").update()
        for schema in [AlertDelivery.schema, AlertIncident.schema, AlertRule.schema, AlertChannel.schema] {
            try await database.schema(schema).delete()
        }
    }
}
