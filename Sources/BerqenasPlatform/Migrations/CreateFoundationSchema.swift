import FluentKit

/// The system tables of the foundation: tenants, users, tokens, login throttles, audit, settings.
package struct CreateFoundationSchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(SystemSetting.schema)
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema(Tenant.schema)
            .id()
            .field("name", .string, .required)
            .field("display_name", .string, .required)
            .field("subdomain", .string)
            .field("vpn_enabled", .bool, .required)
            .field("status", .string, .required)
            .field("max_connections", .int, .required)
            .field("statement_timeout_ms", .int, .required)
            .field("storage_quota_mb", .int, .required)
            .field("role_password_sealed", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "name")
            .unique(on: "subdomain")
            .create()
        try await database.schema(User.schema)
            .id()
            .field("username", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("tenant_id", .uuid, .references(Tenant.schema, .id, onDelete: .cascade))
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
        try await database.schema(RefreshToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("family_id", .uuid, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(LoginThrottleRecord.schema)
            .id()
            .field("username", .string, .required)
            .field("failure_count", .int, .required)
            .field("window_started_at", .datetime, .required)
            .field("locked_until", .datetime)
            .unique(on: "username")
            .create()
        try await database.schema(AuditEntry.schema)
            .id()
            .field("occurred_at", .datetime, .required)
            .field("actor", .string)
            .field("tenant", .string)
            .field("action", .string, .required)
            .field("target", .string)
            .field("outcome", .string, .required)
            .field("status_code", .int, .required)
            .field("client_address", .string)
            .create()
    }

    package func revert(on database: any Database) async throws {
        for schema in [
            AuditEntry.schema, LoginThrottleRecord.schema, RefreshToken.schema,
            User.schema, Tenant.schema, SystemSetting.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}
