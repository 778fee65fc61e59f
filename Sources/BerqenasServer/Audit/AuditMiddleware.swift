import BerqenasPlatform
import Foundation
import Vapor

/// Records every mutating request on a documented route, and reads a handler marks as worth it: time, actor,
/// tenant, action, target, outcome, client.
///
/// It sits outside the error middleware, so it sees the final status of failed requests too. Request
/// bodies are never recorded (they may carry passwords).
///
/// A future-based middleware: reads (nearly every request) pass straight through, without a task of their own.
struct AuditMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMap { response in
            let mutating = request.method != .GET && request.method != .HEAD && request.method != .OPTIONS
            guard mutating || request.auditContext.auditRead, let operation = request.route?.operation else {
                return request.eventLoop.makeSucceededFuture(response)
            }
            let promise = request.eventLoop.makePromise(of: Response.self)
            promise.completeWithTask {
                await record(request, operation: operation, status: Int(response.status.code))
                return response
            }
            return promise.futureResult
        }
    }

    private func record(_ request: Request, operation: Operation, status: Int) async {
        let context = request.auditContext
        let entry = AuditEntry(
            occurredAt: Date(),
            actor: request.caller?.username ?? context.actor,
            tenant: context.tenant ?? request.caller?.tenantName,
            action: operation.id,
            target: context.target,
            outcome: Self.outcome(status),
            statusCode: status,
            clientAddress: request.clientAddress
        )
        do {
            try await request.berqenas.platform.audit.record(entry)
        } catch {
            request.logger.error("could not write audit entry", metadata: ["action": "\(operation.id)"])
        }
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
