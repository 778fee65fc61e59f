import FluentKit

/// Generated API definitions; names are unique per tenant.
package struct CreateAPIDefinitionSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema)
            .id()
            .field("tenant_id", .uuid, .required, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("source_kind", .string, .required)
            .field("remote_database_id", .uuid, .references(RemoteDatabase.schema, .id, onDelete: .cascade))
            .field("tables_spec", .string, .required)
            .field("auth", .string, .required)
            .field("max_rows", .int)
            .field("snapshot", .string, .required)
            .field("refreshed_at", .datetime, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "tenant_id", "name")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema).delete()
    }
}
