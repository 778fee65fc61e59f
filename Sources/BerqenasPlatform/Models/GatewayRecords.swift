import FluentKit
import Foundation

/// What the gateway server last found about one thing it applies, for the servers that do not run the
/// gateway role (they read it instead of guessing). Subjects: `gateway` (its backend; rewritten every pass,
/// so its time says whether a gateway is alive), `gateway.publishing`, `network:<id>`, `publication:<id>`.
package final class GatewayReport: Model, @unchecked Sendable {
    package static let schema = "gateway_reports"

    @ID(custom: "subject", generatedBy: .user) package var id: String?
    @Field(key: "state") package var state: String
    @OptionalField(key: "error") package var error: String?
    @Field(key: "reported_at") package var reportedAt: Date

    package init() {}

    init(subject: String, state: String, error: String?, at time: Date) {
        self.id = subject
        self.state = state
        self.error = error
        self.reportedAt = time
    }
}

/// A TCP check of a peer's port asked of the gateway by a server without a tunnel, and the gateway's answer.
package final class GatewayCheck: Model, @unchecked Sendable {
    package static let schema = "gateway_checks"

    @ID(key: .id) package var id: UUID?
    @Field(key: "address") package var address: String
    @Field(key: "port") package var port: Int
    @Field(key: "requested_at") package var requestedAt: Date
    @OptionalField(key: "answered_at") package var answeredAt: Date?
    @OptionalField(key: "reachable") package var reachable: Bool?
    @OptionalField(key: "latency_ms") package var latencyMilliseconds: Double?
    @OptionalField(key: "error") package var error: String?

    package init() {}

    init(address: String, port: Int, at time: Date) {
        self.address = address
        self.port = port
        self.requestedAt = time
    }
}
