import FluentKit
import Foundation

/// Something that happened on its own, not through a request (a peer connected, a network failed to
/// apply): kept in order, numbered, for a feed to follow.
package final class PlatformEvent: Model, @unchecked Sendable {
    package static let schema = "events"

    /// Increasing: a follower asks for what came after the last number it saw.
    @ID(custom: .id, generatedBy: .database) package var id: Int?
    @Field(key: "tenant_id") package var tenantID: UUID
    /// `vpn.peer.connected`, `vpn.peer.disconnected`, `vpn.network.failed`, `vpn.network.recovered`, …
    @Field(key: "kind") package var kind: String
    /// What it is about, like `vpn-peer:<id>`.
    @Field(key: "subject") package var subject: String
    @Field(key: "message") package var message: String
    @Field(key: "occurred_at") package var occurredAt: Date

    package init() {}

    init(tenantID: UUID, kind: String, subject: String, message: String, occurredAt: Date = Date()) {
        self.tenantID = tenantID
        self.kind = kind
        self.subject = subject
        self.message = message
        self.occurredAt = occurredAt
    }
}
