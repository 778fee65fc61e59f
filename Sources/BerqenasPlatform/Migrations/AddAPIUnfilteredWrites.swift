import FluentKit

/// `allow_unfiltered_writes` on API definitions (off: a PATCH or DELETE without a filter is refused).
package struct AddAPIUnfilteredWrites: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema)
            .field("allow_unfiltered_writes", .bool, .required, .sql(.default(false)))
            .update()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema).deleteField("allow_unfiltered_writes").update()
    }
}
