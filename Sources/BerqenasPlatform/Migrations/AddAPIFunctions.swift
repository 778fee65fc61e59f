import FluentKit

/// The functions an API serves at `/rpc/{name}`: what was asked for and what introspection found (none by
/// default).
package struct AddAPIFunctions: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        for column in ["functions_spec", "functions_snapshot"] {
            try await database.schema(APIDefinition.schema).field(
                .definition(name: .key(FieldKey(stringLiteral: column)), dataType: .string, constraints: [.required, .sql(.default("[]"))])
            ).update()
        }
    }

    package func revert(on database: any Database) async throws {
        for column in ["functions_spec", "functions_snapshot"] {
            try await database.schema(APIDefinition.schema).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}
