import FluentKit

/// `repair` on sync jobs (verify jobs that carry the differences they find).
package struct AddSyncJobRepair: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(SyncJob.schema).field("repair", .bool, .required, .sql(.default(false))).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(SyncJob.schema).deleteField("repair").update()
    }
}
