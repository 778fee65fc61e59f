import FluentKit
import SQLKit

/// The tables through which servers without the gateway role see and ask the gateway.
package struct CreateGatewaySchema: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        try await database.schema(GatewayReport.schema)
            .field("subject", .string, .identifier(auto: false))
            .field("state", .string, .required)
            .field("error", .string)
            .field("reported_at", .datetime, .required)
            .create()
        try await database.schema(GatewayCheck.schema)
            .id()
            .field("address", .string, .required)
            .field("port", .int, .required)
            .field("requested_at", .datetime, .required)
            .field("answered_at", .datetime)
            .field("reachable", .bool)
            .field("latency_ms", .double)
            .field("error", .string)
            .create()
        // The gateway's every pass looks for unanswered checks by time.
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX gateway_checks_pending ON gateway_checks (answered_at, requested_at)").run()
        }
    }

    package func revert(on database: any Database) async throws {
        try await database.schema(GatewayCheck.schema).delete()
        try await database.schema(GatewayReport.schema).delete()
    }
}
