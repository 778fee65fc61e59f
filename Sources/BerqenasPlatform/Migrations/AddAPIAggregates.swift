import FluentKit

/// `aggregates` on API definitions (off: `select=amount.sum()` is refused, PGRST123).
package struct AddAPIAggregates: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema)
            .field("aggregates", .bool, .required, .sql(.default(false)))
            .update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema).deleteField("aggregates").update()
    }
}
