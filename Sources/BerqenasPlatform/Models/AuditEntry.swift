import FluentKit
import Foundation

/// One recorded mutating request: who did what to which thing, and how it ended.
package final class AuditEntry: Model, @unchecked Sendable {
    package static let schema = "audit_entries"

    @ID(key: .id) package var id: UUID?
    @Field(key: "occurred_at") package var occurredAt: Date
    @OptionalField(key: "actor") package var actor: String?
    @OptionalField(key: "tenant") package var tenant: String?
    @Field(key: "action") package var action: String
    @OptionalField(key: "target") package var target: String?
    @Field(key: "outcome") package var outcome: String
    @Field(key: "status_code") package var statusCode: Int
    @OptionalField(key: "client_address") package var clientAddress: String?

    package init() {}

    /// Creates an entry.
    package init(
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
