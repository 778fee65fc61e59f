import FluentKit
import Foundation

/// How an alert travels.
package enum AlertChannelType: String, Codable, Sendable, CaseIterable {
    case email, slack, webhook
}

/// What an alert rule watches.
package enum AlertCondition: String, Codable, Sendable, CaseIterable {
    /// The latest finished job of a remote database failed (clears when a later one succeeds).
    case jobFailed = "job_failed"
    /// More than `threshold` conflicts wait for a decision on a remote database.
    case conflictsOpenOver = "conflicts_open_over"
    /// A WireGuard peer has had no handshake for `threshold` minutes past the connected window.
    case peerDisconnectedFor = "peer_disconnected_for"
    /// A remote database has failed its connection for `threshold` minutes.
    case remoteUnreachableFor = "remote_unreachable_for"
    /// A sync job has been running for more than `threshold` minutes.
    case jobDurationOver = "job_duration_over"
}

/// What a delivery carries.
package enum AlertDeliveryKind: String, Codable, Sendable, CaseIterable {
    /// A rule's condition started to hold.
    case firing
    /// It stopped holding.
    case resolved
    /// Someone asked the channel to send a test message.
    case test
}

/// Where a delivery stands.
package enum AlertDeliveryStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for its next attempt (`next_attempt_at`).
    case pending
    case delivered
    /// Given up: a permanent refusal, or retried until `give_up_at`.
    case failed
}

/// A place alerts go: an SMTP server, a Slack incoming webhook, or a signed webhook. The secret part
/// (password, Slack URL, signing secret) is sealed and never returned.
package final class AlertChannel: Model, @unchecked Sendable {
    package static let schema = "alert_channels"

    @ID(key: .id) package var id: UUID?
    /// Nil: a platform channel (admins').
    @OptionalField(key: "tenant_id") package var tenantID: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "type") package var type: AlertChannelType
    /// The settings that are not secret, as a JSON object.
    @Field(key: "settings_json") package var settingsJSON: String
    /// The secret setting, sealed with the row's id as context; nil when the channel has none.
    @OptionalField(key: "secret_sealed") package var secretSealed: String?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

/// A condition watched for a tenant (or, with no tenant, for every tenant) and the channels told about it.
package final class AlertRule: Model, @unchecked Sendable {
    package static let schema = "alert_rules"

    @ID(key: .id) package var id: UUID?
    @OptionalField(key: "tenant_id") package var tenantID: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "condition") package var condition: AlertCondition
    /// A count (`conflicts_open_over`) or minutes (the `_for` and `_over` conditions).
    @OptionalField(key: "threshold") package var threshold: Int?
    /// Narrows the rule to one remote database.
    @OptionalField(key: "remote_database_id") package var remoteDatabaseID: UUID?
    /// The channels' ids, a JSON array.
    @Field(key: "channel_ids_json") package var channelIDsJSON: String
    @Field(key: "enabled") package var enabled: Bool
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

/// One spell of a rule's condition holding for one subject (a remote database, a peer, a job): opened
/// once when it starts, resolved once when it clears. At most one open incident per rule and subject
/// (a unique index), so servers evaluating together fire once.
package final class AlertIncident: Model, @unchecked Sendable {
    package static let schema = "alert_incidents"

    @ID(key: .id) package var id: UUID?
    @Field(key: "rule_id") package var ruleID: UUID
    @OptionalField(key: "tenant_id") package var tenantID: UUID?
    /// What it is about, like `remote-database:<id>`.
    @Field(key: "subject") package var subject: String
    /// The alert's facts when it opened (JSON object).
    @Field(key: "details_json") package var detailsJSON: String
    @Field(key: "opened_at") package var openedAt: Date
    @OptionalField(key: "resolved_at") package var resolvedAt: Date?

    package init() {}
}

/// One message to one channel, kept until delivered or given up, retried with growing pauses.
package final class AlertDelivery: Model, @unchecked Sendable {
    package static let schema = "alert_deliveries"

    @ID(key: .id) package var id: UUID?
    @OptionalField(key: "tenant_id") package var tenantID: UUID?
    @OptionalField(key: "rule_id") package var ruleID: UUID?
    @OptionalField(key: "incident_id") package var incidentID: UUID?
    @Field(key: "channel_id") package var channelID: UUID
    @Field(key: "kind") package var kind: AlertDeliveryKind
    /// The message, composed once (`AlertMessage` as JSON), so every attempt sends the same.
    @Field(key: "message_json") package var messageJSON: String
    @Field(key: "status") package var status: AlertDeliveryStatus
    @Field(key: "attempts") package var attempts: Int
    @OptionalField(key: "last_error") package var lastError: String?
    @Field(key: "next_attempt_at") package var nextAttemptAt: Date
    @Field(key: "give_up_at") package var giveUpAt: Date
    /// The server sending it now, and until when it may (a crashed sender's claim runs out).
    @OptionalField(key: "lease_owner") package var leaseOwner: String?
    @OptionalField(key: "lease_until") package var leaseUntil: Date?
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "delivered_at") package var deliveredAt: Date?

    package init() {}
}
