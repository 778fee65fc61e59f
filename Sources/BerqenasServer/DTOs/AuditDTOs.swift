import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// One audit entry as the API shows it.
struct AuditEntryResponse: Content {
    let id: UUID
    let occurredAt: Date
    @ExplicitNull var actor: String?
    @ExplicitNull var tenant: String?
    let action: String
    @ExplicitNull var target: String?
    let outcome: String
    let statusCode: Int
    @ExplicitNull var clientAddress: String?

    enum CodingKeys: String, CodingKey {
        case id, occurredAt = "occurred_at", actor, tenant, action, target, outcome, statusCode = "status_code"
        case clientAddress = "client_address"
    }

    /// Absent values are written as `null`, so every documented key is always present.

    init(_ entry: AuditEntry) throws {
        id = try entry.requireID()
        occurredAt = entry.occurredAt
        actor = entry.actor
        tenant = entry.tenant
        action = entry.action
        target = entry.target
        outcome = entry.outcome
        statusCode = entry.statusCode
        clientAddress = entry.clientAddress
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["outcome": .string(allowedValues: "success", "denied", "failure")])
}
