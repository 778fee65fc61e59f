import FluentKit

/// Keys of generated APIs (removed with their API).
package struct CreateAPIKeySchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(APIKey.schema)
            .id()
            .field("api_definition_id", .uuid, .required, .references(APIDefinition.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("key_hash", .string, .required)
            .field("permissions", .string, .required)
            .field("expires_at", .datetime)
            .field("allowed_cidrs", .string, .required)
            .field("rate_limit_per_minute", .int)
            .field("created_at", .datetime)
            .unique(on: "prefix")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(APIKey.schema).delete()
    }
}
