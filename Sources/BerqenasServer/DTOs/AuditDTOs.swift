import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// One audit entry as the API shows it.
struct AuditEntryResponse: Content {
    let id: UUID
    let occurredAt: Date
    let actor: String?
    let tenant: String?
    let action: String
    let target: String?
    let outcome: String
    let statusCode: Int
    let clientAddress: String?

    enum CodingKeys: String, CodingKey {
        case id, occurredAt = "occurred_at", actor, tenant, action, target, outcome, statusCode = "status_code"
        case clientAddress = "client_address"
    }

    /// Absent values are written as `null`, so every documented key is always present.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(occurredAt, forKey: .occurredAt)
        try container.encode(actor, forKey: .actor)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(action, forKey: .action)
        try container.encode(target, forKey: .target)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(clientAddress, forKey: .clientAddress)
    }

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

    static let schema: JSONSchema = .object(properties: [
        "id": .string(format: .uuid), "occurred_at": .string(format: .dateTime), "actor": .string(nullable: true),
        "tenant": .string(nullable: true), "action": .string, "target": .string(nullable: true),
        "outcome": .string(allowedValues: "success", "denied", "failure"), "status_code": .integer,
        "client_address": .string(nullable: true),
    ])
}
