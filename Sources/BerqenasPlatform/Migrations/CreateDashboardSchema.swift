import FluentKit
import SQLKit

/// Five-minute buckets of what the dashboard adds up (rows synced, jobs ended, API requests), and the
/// indexes its counts use, so no figure scans a whole table.
package struct CreateDashboardSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(StatsBucket.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("bucket_start", .datetime, .required)
            .field("rows_to_cloud", .int64, .required, .sql(.default(0)))
            .field("rows_to_local", .int64, .required, .sql(.default(0)))
            .field("jobs_succeeded", .int64, .required, .sql(.default(0)))
            .field("jobs_failed", .int64, .required, .sql(.default(0)))
            .field("jobs_cancelled", .int64, .required, .sql(.default(0)))
            .field("api_requests", .int64, .required, .sql(.default(0)))
            .unique(on: "tenant_id", "bucket_start")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX stats_buckets_start ON stats_buckets (bucket_start)").run()
        try await sql.raw("CREATE INDEX sync_conflicts_tenant_status ON sync_conflicts (tenant_id, status)").run()
        try await sql.raw("CREATE INDEX vpn_peers_tenant ON vpn_peers (tenant_id)").run()
        try await sql.raw("CREATE INDEX sync_jobs_tenant_status ON sync_jobs (tenant_id, status)").run()
    }

    package func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["sync_conflicts_tenant_status", "vpn_peers_tenant", "sync_jobs_tenant_status"] {
                try await sql.raw("DROP INDEX \(ident: index)").run()
            }
        }
        try await database.schema(StatsBucket.schema).delete()
    }
}
