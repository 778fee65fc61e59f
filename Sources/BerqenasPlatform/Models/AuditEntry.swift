import FluentKit
import Foundation

/// One recorded mutating request: who did what to which thing, and how it ended.
public final class AuditEntry: Model, @unchecked Sendable {
    public static let schema = "audit_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "occurred_at") public var occurredAt: Date
    @OptionalField(key: "actor") public var actor: String?
    @OptionalField(key: "tenant") public var tenant: String?
    @Field(key: "action") public var action: String
    @OptionalField(key: "target") public var target: String?
    @Field(key: "outcome") public var outcome: String
    @Field(key: "status_code") public var statusCode: Int
    @OptionalField(key: "client_address") public var clientAddress: String?

    public init() {}

    /// Creates an entry.
    public init(
        occurredAt: Date, actor: String?, tenant: String?, action: String, target: String?,
        outcome: String, statusCode: Int, clientAddress: String?
    ) {
        self.occurredAt = occurredAt
        self.actor = actor
        self.tenant = tenant
        self.action = action
        self.target = target
        self.outcome = outcome
        self.statusCode = statusCode
        self.clientAddress = clientAddress
    }
}
