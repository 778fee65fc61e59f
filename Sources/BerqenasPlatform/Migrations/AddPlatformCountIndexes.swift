import FluentKit
import SQLKit

/// Indexes for the platform-wide dashboard counts (jobs queued or running, open conflicts over every tenant):
/// the per-tenant ones lead with the tenant, which a count over all tenants cannot use.
package struct AddPlatformCountIndexes: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX sync_jobs_status ON sync_jobs (status)").run()
        try await sql.raw("CREATE INDEX sync_conflicts_status ON sync_conflicts (status)").run()
    }

    package func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX sync_jobs_status").run()
        try await sql.raw("DROP INDEX sync_conflicts_status").run()
    }
}
