import DatabaseConnectors
import Foundation

/// What an alert says, composed once when it is raised and sent as it is by every channel and every attempt:
/// what happened (`title`, `summary`), where (`facts`), what to do (`action`) and the panel page (`link`).
package struct AlertMessage: Codable, Sendable, Equatable {
    package struct Fact: Codable, Sendable, Equatable {
        package var name: String
        package var value: String
    }

    package struct RuleReference: Codable, Sendable, Equatable {
        package var id: UUID
        package var name: String
        package var condition: AlertCondition
    }

    package var kind: AlertDeliveryKind
    package var title: String
    package var summary: String
    package var facts: [Fact]
    package var action: String
    package var link: String?
    package var tenant: String?
    package var rule: RuleReference?
    /// What it is about, like `remote-database:<id>`.
    package var subject: String
    /// The facts as data a receiving program can act on (a JSON object: ids, counts, error code).
    package var detailsJSON: String
    package var occurredAt: Date

    /// The title with its state: "Resolved: …" for a resolved alert, "Test: …" for a test message.
    package var headline: String {
        switch kind {
        case .firing: title
        case .resolved: "Resolved: \(title)"
        case .test: "Test: \(title)"
        }
    }

    /// Plain text: summary, facts, what to do, link.
    package var plainText: String {
        var lines = [summary, ""]
        lines += facts.map { "\($0.name): \($0.value)" }
        lines += ["", action]
        if let link { lines += ["", link] }
        lines += ["", "-- Berqenas, \(Self.timestamp(occurredAt))"]
        return lines.joined(separator: "\n")
    }

    /// The same as HTML, every value escaped.
    package var html: String {
        var out = "<!doctype html><html><body style=\"font-family:sans-serif\">"
        out += "<h2>\(Self.escape(headline))</h2><p>\(Self.escape(summary))</p><table>"
        for fact in facts { out += "<tr><th align=\"left\">\(Self.escape(fact.name))</th><td>\(Self.escape(fact.value))</td></tr>" }
        out += "</table><p>\(Self.escape(action))</p>"
        if let link { out += "<p><a href=\"\(Self.escape(link))\">Open in Berqenas</a></p>" }
        out += "<p style=\"color:#666\">Berqenas, \(Self.escape(Self.timestamp(occurredAt)))</p></body></html>"
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// The stored form.
    package func stored() throws -> String { try StoredJSON.text(self) }
}
