import FluentKit
import Foundation

/// Something that happened on its own, not through a request (a peer connected, a network failed to
/// apply): kept in order, numbered, for a feed to follow.
public final class PlatformEvent: Model, @unchecked Sendable {
    public static let schema = "events"

    /// Increasing: a follower asks for what came after the last number it saw.
    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Field(key: "tenant_id") public var tenantID: UUID
    /// `vpn.peer.connected`, `vpn.peer.disconnected`, `vpn.network.failed`, `vpn.network.recovered`, …
    @Field(key: "kind") public var kind: String
    /// What it is about, like `vpn-peer:<id>`.
    @Field(key: "subject") public var subject: String
    @Field(key: "message") public var message: String
    @Field(key: "occurred_at") public var occurredAt: Date

    public init() {}

    init(tenantID: UUID, kind: String, subject: String, message: String, occurredAt: Date = Date()) {
        self.tenantID = tenantID
        self.kind = kind
        self.subject = subject
        self.message = message
        self.occurredAt = occurredAt
    }
}
