import FluentKit

/// `allow_unfiltered_writes` on API definitions (off: a PATCH or DELETE without a filter is refused).
public struct AddAPIUnfilteredWrites: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema)
            .field("allow_unfiltered_writes", .bool, .required, .sql(.default(false)))
            .update()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema(APIDefinition.schema).deleteField("allow_unfiltered_writes").update()
    }
}
