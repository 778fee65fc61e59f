import FluentKit

/// `repair` on sync jobs (verify jobs that carry the differences they find).
public struct AddSyncJobRepair: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema(SyncJob.schema).field("repair", .bool, .required, .sql(.default(false))).update()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema(SyncJob.schema).deleteField("repair").update()
    }
}
