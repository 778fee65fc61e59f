import BerqenasPlatform
import Foundation
import Vapor

/// Reading the audit trail.
struct AuditController {
    func register(on routes: any RoutesBuilder) {
        let text = { (name: String, description: String) in Operation.QueryParameter(name: name, schema: .string, description: description) }
        routes.on(
            .GET, "audit",
            operation: Operation(
                id: "audit.list", summary: "Audit entries, newest first (admin: all, tenant admin: own tenant)", tag: "audit",
                responseBody: Page<AuditEntryResponse>.schema(of: AuditEntryResponse.schema),
                query: PageRequest.parameters + [
                    text("actor", "username"), text("tenant", "tenant name"), text("action", "operation id, e.g. tenants.create"),
                    text("outcome", "success, denied or failure"),
                    .init(name: "since", schema: .string(format: .dateTime), description: "at or after (ISO 8601)"),
                    .init(name: "until", schema: .string(format: .dateTime), description: "before (ISO 8601)"),
                ],
                failureStatuses: [422]
            ), use: list)
    }

    @Sendable
    func list(_ request: Request) async throws -> Page<AuditEntryResponse> {
        let page = try PageRequest(request)
        let filter = AuditLog.Filter(
            actor: request.query[String.self, at: "actor"], tenant: request.query[String.self, at: "tenant"],
            action: request.query[String.self, at: "action"], outcome: request.query[String.self, at: "outcome"],
            since: try date(request, "since"), until: try date(request, "until")
        )
        let result = try await request.berqenas.platform.audit.entries(
            matching: filter, by: request.requireCaller(), limit: page.limit, offset: page.offset
        )
        return Page(
            items: try result.items.map(AuditEntryResponse.init), total: result.total,
            limit: page.limit, offset: page.offset)
    }

    private func date(_ request: Request, _ name: String) throws -> Date? {
        guard let raw = request.query[String.self, at: name] else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let value = formatter.date(from: raw) ?? ISO8601DateFormatter().date(from: raw) else {
            throw PlatformError.validation(field: name, "must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z")
        }
        return value
    }
}
