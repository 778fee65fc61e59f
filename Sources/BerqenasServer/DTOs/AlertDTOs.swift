import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

extension AlertChannelRequest {
    static let schema = WireSchema.of(
        Self.self, .request, overriding: ["type": .string(allowedValues: AlertChannelType.allowedValues)],
        requiring: ["name", "type", "settings"])
    static let patchSchema = WireSchema.of(Self.self, .request)
}

extension AlertRuleRequest {
    static let schema = WireSchema.of(
        Self.self, .request, overriding: ["condition": .string(allowedValues: AlertCondition.allowedValues)],
        requiring: ["name", "condition", "channel_ids"])
    static let patchSchema = WireSchema.of(Self.self, .request)
}

/// A channel as the API shows it: its settings without the secret (password, Slack URL, signing secret),
/// and whether one is set.
struct AlertChannelResponse: Content {
    let id: UUID
    let name: String
    let type: AlertChannelType
    let settings: AlertChannelSettings
    let secretSet: Bool
    @ExplicitNull var createdAt: Date?
    @ExplicitNull var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, type, settings, secretSet = "secret_set", createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ channel: AlertChannel) throws {
        id = try channel.requireID()
        name = channel.name
        type = channel.type
        settings = (try? JSONDecoder().decode(AlertChannelSettings.self, from: Data(channel.settingsJSON.utf8))) ?? AlertChannelSettings()
        secretSet = channel.secretSealed != nil
        createdAt = channel.createdAt
        updatedAt = channel.updatedAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// A rule as the API shows it, with the subjects it is firing for now.
struct AlertRuleResponse: Content {
    let id: UUID
    let name: String
    let condition: AlertCondition
    @ExplicitNull var threshold: Int?
    @ExplicitNull var remoteDatabaseID: UUID?
    let channelIDs: [UUID]
    let enabled: Bool
    let firing: [String]
    @ExplicitNull var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, condition, threshold, remoteDatabaseID = "remote_database_id", channelIDs = "channel_ids", enabled, firing
        case createdAt = "created_at"
    }

    init(_ rule: AlertRule, firing: [String]) throws {
        id = try rule.requireID()
        name = rule.name
        condition = rule.condition
        threshold = rule.threshold
        remoteDatabaseID = rule.remoteDatabaseID
        channelIDs = AlertRules.channelIDs(of: rule)
        enabled = rule.enabled
        self.firing = firing
        createdAt = rule.createdAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// One message to one channel and how its sending went.
struct AlertDeliveryResponse: Content {
    let id: UUID
    let kind: AlertDeliveryKind
    let status: AlertDeliveryStatus
    @ExplicitNull var ruleID: UUID?
    let channelID: UUID
    let title: String
    let attempts: Int
    @ExplicitNull var lastError: String?
    let createdAt: Date
    @ExplicitNull var nextAttemptAt: Date?
    @ExplicitNull var deliveredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, ruleID = "rule_id", channelID = "channel_id", title, attempts, lastError = "last_error"
        case createdAt = "created_at", nextAttemptAt = "next_attempt_at", deliveredAt = "delivered_at"
    }

    init(_ delivery: AlertDelivery) throws {
        id = try delivery.requireID()
        kind = delivery.kind
        status = delivery.status
        ruleID = delivery.ruleID
        channelID = delivery.channelID
        title = (try? JSONDecoder().decode(AlertMessage.self, from: Data(delivery.messageJSON.utf8)))?.headline ?? ""
        attempts = delivery.attempts
        lastError = delivery.lastError
        createdAt = delivery.createdAt
        nextAttemptAt = delivery.status == .pending ? delivery.nextAttemptAt : nil
        deliveredAt = delivery.deliveredAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}
