import FluentKit

/// `watermark_column` on remote databases (compare capture mode: the column that rises when a row changes).
package struct AddRemoteWatermark: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(RemoteDatabase.schema).field("watermark_column", .string).update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(RemoteDatabase.schema).deleteField("watermark_column").update()
    }
}
