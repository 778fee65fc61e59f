import BerqenasPlatform
import Foundation
import Vapor

/// Records every mutating request on a documented route, and reads a handler marks as worth it: time, actor,
/// tenant, action, target, outcome, client.
///
/// It sits outside the error middleware, so it sees the final status of failed requests too. Request
/// bodies are never recorded (they may carry passwords).
struct AuditMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let mutating = request.method != .GET && request.method != .HEAD && request.method != .OPTIONS
        guard mutating || request.auditContext.auditRead, let operation = request.route?.operation else { return response }
        let context = request.auditContext
        let status = Int(response.status.code)
        let entry = AuditEntry(
            occurredAt: Date(),
            actor: request.caller?.username ?? context.actor,
            tenant: context.tenant ?? request.caller?.tenantName,
            action: operation.id,
            target: context.target,
            outcome: Self.outcome(status),
            statusCode: status,
            clientAddress: request.remoteAddress?.ipAddress
        )
        do {
            try await request.berqenas.platform.audit.record(entry)
        } catch {
            request.logger.error("could not write audit entry", metadata: ["action": "\(operation.id)"])
        }
        return response
    }

    static func outcome(_ status: Int) -> String {
        switch status {
        case ..<400: "success"
        case 401, 403, 429: "denied"
        default: "failure"
        }
    }
}

/// What a handler tells the audit middleware about the request it served.
struct AuditContext: Sendable {
    var actor: String?
    var tenant: String?
    var target: String?
    /// A read worth recording (a download of secrets, such as a peer's config).
    var auditRead = false
}

extension Request {
    private struct AuditContextKey: StorageKey { typealias Value = AuditContext }

    /// Facts for the audit entry of this request.
    var auditContext: AuditContext {
        get { storage[AuditContextKey.self] ?? AuditContext() }
        set { storage[AuditContextKey.self] = newValue }
    }
}
