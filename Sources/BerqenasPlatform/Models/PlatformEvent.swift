import FluentKit
import Foundation

/// One entry of the event log: something that happened to a tenant's syncs, tunnels, APIs or the tenant
/// itself, or (without a tenant) to the hub.
package final class PlatformEvent: Model, @unchecked Sendable {
    package static let schema = "event_log"

    /// Increasing, and committed in order: a follower asks for what came after the last number it saw.
    @ID(custom: .id, generatedBy: .database) package var id: Int?
    /// Nil: a platform event, which only admins see.
    @OptionalField(key: "tenant_id") package var tenantID: UUID?
    /// The tenant's name when it happened (events outlive nothing: a tenant's go with it).
    @OptionalField(key: "tenant") package var tenantName: String?
    /// The kind as written (a newer server may write kinds this one does not know: they are shown as they are).
    @Field(key: "kind") package var kind: String
    /// What it is about, like `sync-job:<id>` or `vpn-peer:<id>`.
    @Field(key: "subject") package var subject: String
    @Field(key: "message") package var message: String
    /// A JSON object a client can act on (job id, remote database id, counts).
    @Field(key: "data") package var dataJSON: String
    @Field(key: "occurred_at") package var occurredAt: Date

    package init() {}

    init(tenantID: UUID?, tenantName: String?, kind: EventKind, subject: String, message: String, dataJSON: String, occurredAt: Date = Date()) {
        self.tenantID = tenantID
        self.tenantName = tenantName
        self.kind = kind.rawValue
        self.subject = subject
        self.message = message
        self.dataJSON = dataJSON
        self.occurredAt = occurredAt
    }
}
