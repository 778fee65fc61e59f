import DatabaseConnectors
import Foundation

/// The bodies an alert goes out as on Slack and on a webhook.
enum ChannelPayloads {
    /// Slack's incoming-webhook message: a fallback `text` and blocks (header, summary with the facts, what to
    /// do, a button to the panel page when the hub knows its public URL).
    static func slack(_ message: AlertMessage) -> JSONValue {
        let facts = message.facts.map { "*\(slackEscape($0.name)):* \(slackEscape($0.value))" }.joined(separator: "\n")
        var blocks: [JSONValue] = [
            .object([
                ("type", .string("header")),
                ("text", .object([("type", .string("plain_text")), ("text", .string(String(message.headline.prefix(150))))])),
            ]),
            .object([
                ("type", .string("section")), ("text", .object([("type", .string("mrkdwn")), ("text", .string(slackEscape(message.summary)))])),
            ]),
        ]
        if !facts.isEmpty {
            blocks.append(.object([("type", .string("section")), ("text", .object([("type", .string("mrkdwn")), ("text", .string(facts))]))]))
        }
        blocks.append(
            .object([
                ("type", .string("context")),
                ("elements", .array([.object([("type", .string("mrkdwn")), ("text", .string(slackEscape(message.action)))])])),
            ]))
        if let link = message.link {
            blocks.append(
                .object([
                    ("type", .string("actions")),
                    (
                        "elements",
                        .array([
                            .object([
                                ("type", .string("button")),
                                ("text", .object([("type", .string("plain_text")), ("text", .string("Open in Berqenas"))])),
                                ("url", .string(link)),
                            ])
                        ])
                    ),
                ]))
        }
        return .object([("text", .string(message.headline)), ("blocks", .array(blocks))])
    }

    /// Slack's three escapes (`&`, `<`, `>`), so a value cannot become a link or a mention.
    static func slackEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A webhook's JSON body: the delivery's id (receivers use it to drop a repeat), the event type
    /// (`alert.firing`, `alert.resolved`, `alert.test`), and the message with its details as data.
    static func webhook(_ message: AlertMessage, deliveryID: UUID) -> JSONValue {
        let rule: JSONValue =
            message.rule.map {
                .object([("id", .id($0.id)), ("name", .string($0.name)), ("condition", .string($0.condition.rawValue))])
            } ?? .null
        return .object([
            ("id", .id(deliveryID)), ("type", .string("alert.\(message.kind.rawValue)")),
            ("occurred_at", .string(AlertMessage.timestamp(message.occurredAt))), ("tenant", message.tenant.map(JSONValue.string) ?? .null),
            ("rule", rule), ("subject", .string(message.subject)), ("title", .string(message.title)), ("summary", .string(message.summary)),
            ("action", .string(message.action)), ("link", message.link.map(JSONValue.string) ?? .null),
            ("details", (try? JSONValue.parse(message.detailsJSON)) ?? .object([])),
        ])
    }
}
