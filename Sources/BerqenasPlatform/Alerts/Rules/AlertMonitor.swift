import DatabaseConnectors
import FluentKit
import Foundation
import Logging
import SQLKit

/// Looks at every enabled rule (every `interval`, and at once when an event that can change a condition is
/// logged or a rule changes): a subject the condition newly holds for opens an incident and queues a
/// "firing" message to each channel; an open incident whose subject no longer holds is resolved and queues a
/// "resolved" message. Both happen in one transaction each, and at most once across servers: an open incident
/// is unique per rule and subject, and resolving is a conditional update only one server wins.
package final class AlertMonitor: Sendable {
    let database: any Database
    let conditions: AlertConditions
    let configuration: AlertSettings
    /// Rung when a message is queued (the dispatcher sends it at once).
    let queued: Doorbell
    private let bell: Doorbell
    private let loop: PeriodicLoop
    private let logger = Logger(label: "berqenas.alerts")

    init(database: any Database, configuration: AlertSettings, bell: Doorbell, queued: Doorbell) {
        self.database = database
        self.conditions = AlertConditions(database: database)
        self.configuration = configuration
        self.queued = queued
        self.bell = bell
        self.loop = PeriodicLoop(bell: bell)
    }

    /// Asks for a pass at once (an event that can change a condition was logged).
    package func wake() { bell.ring() }

    package func start() {
        loop.start(interval: configuration.evaluationInterval) { [self] in
            do {
                try await evaluate(now: Date())
            } catch {
                logger.warning("alert rules could not be evaluated: \(String(describing: error))")
            }
        }
    }

    package func stop() async { await loop.stop() }

    /// The event kinds after which a condition may have changed (the monitor looks at once).
    package static func concerns(_ kind: String) -> Bool {
        kind.hasPrefix("sync.job.") && kind != EventKind.syncJobProgress.rawValue || kind.hasPrefix("sync.conflict.")
            || kind.hasPrefix("remote_database.") || kind.hasPrefix("vpn.peer.")
    }

    /// One pass over every rule.
    package func evaluate(now: Date) async throws {
        let rules = try await AlertRule.query(on: database).all()
        guard !rules.isEmpty else { return }
        var tenants: [UUID: String] = [:]
        for tenant in try await Tenant.query(on: database).all() { if let id = tenant.id { tenants[id] = tenant.name } }
        for rule in rules {
            do {
                try await evaluate(rule, tenants: tenants, now: now)
            } catch {
                logger.warning("alert rule '\(rule.name)' could not be evaluated: \(String(describing: error))")
            }
        }
    }

    private func evaluate(_ rule: AlertRule, tenants: [UUID: String], now: Date) async throws {
        let ruleID = try rule.requireID()
        // Open incidents first, then the findings: an incident another server resolves in between is then seen
        // open and left alone, not opened again from findings read before it was resolved.
        let open = try await AlertIncident.query(on: database).filter(\.$ruleID == ruleID).filter(\.$resolvedAt == nil).all()
        let findings = rule.enabled ? try await conditions.findings(of: rule, tenants: tenants, now: now) : []
        let openSubjects = Set(open.map(\.subject))
        for finding in findings where !openSubjects.contains(finding.subject) {
            try await fire(rule, finding, tenant: tenants[finding.tenantID], now: now)
        }
        let holding = Set(findings.map(\.subject))
        for incident in open where !holding.contains(incident.subject) {
            // A disabled rule's incidents close without a message (nobody is told of what they turned off).
            try await resolve(rule, incident, tell: rule.enabled, now: now)
        }
    }

    private func fire(_ rule: AlertRule, _ finding: AlertFinding, tenant: String?, now: Date) async throws {
        let ruleID = try rule.requireID()
        let message = AlertMessage(
            kind: .firing, title: finding.title, summary: finding.summary, facts: finding.facts, action: finding.action,
            link: configuration.publicURL.map { AlertLinks.join($0, finding.page) }, tenant: tenant,
            rule: .init(id: ruleID, name: rule.name, condition: rule.condition), subject: finding.subject,
            detailsJSON: JSONValue.object(finding.details).text, occurredAt: now)
        let incident = AlertIncident()
        incident.id = UUID()
        incident.ruleID = ruleID
        // The rule's scope: a platform rule's incidents and messages are the admins', never a tenant's.
        incident.tenantID = rule.tenantID
        incident.subject = finding.subject
        incident.detailsJSON = try message.stored()
        incident.openedAt = now
        do {
            try await database.transaction { database in
                try await incident.create(on: database)
                try await self.queue(message, rule: rule, incident: incident, on: database, now: now)
            }
        } catch {
            // Another server opened it first (the unique index refused this one): it fired once, there.
            let opened = try await AlertIncident.query(on: database).filter(\.$ruleID == ruleID).filter(\.$subject == finding.subject)
                .filter(\.$resolvedAt == nil).first()
            if opened == nil { throw error }
            return
        }
        logger.info("alert '\(rule.name)' fired for \(finding.subject)")
        queued.ring()
    }

    private func resolve(_ rule: AlertRule, _ incident: AlertIncident, tell: Bool, now: Date) async throws {
        let incidentID = try incident.requireID()
        let won = try await database.transaction { database -> Bool in
            guard let sql = database as? any SQLDatabase else { return false }
            let rows = try await sql.update(AlertIncident.schema).set("resolved_at", to: now).where("id", .equal, incidentID)
                .where("resolved_at", .is, SQLLiteral.null).returning("id").all()
            guard !rows.isEmpty else { return false }
            if tell, var message = try? StoredJSON.value(AlertMessage.self, incident.detailsJSON) {
                message.kind = .resolved
                message.summary = "Cleared: \(message.summary)"
                message.action = "Nothing to do; it was open from \(AlertMessage.timestamp(incident.openedAt)) to \(AlertMessage.timestamp(now))."
                message.occurredAt = now
                try await self.queue(message, rule: rule, incident: incident, on: database, now: now)
            }
            return true
        }
        if won {
            logger.info("alert '\(rule.name)' resolved for \(incident.subject)")
            queued.ring()
        }
    }

    /// A pending delivery of `message` to each of the rule's channels that still exists.
    private func queue(_ message: AlertMessage, rule: AlertRule, incident: AlertIncident, on database: any Database, now: Date) async throws {
        let ids = AlertRules.channelIDs(of: rule)
        guard !ids.isEmpty else { return }
        let channels = try await AlertChannel.query(on: database).filter(\.$id ~~ ids).all()
        let text = try message.stored()
        for channel in channels {
            let delivery = AlertDelivery()
            delivery.tenantID = incident.tenantID
            delivery.ruleID = rule.id
            delivery.incidentID = incident.id
            delivery.channelID = try channel.requireID()
            delivery.kind = message.kind
            delivery.messageJSON = text
            delivery.status = .pending
            delivery.attempts = 0
            delivery.nextAttemptAt = now
            delivery.giveUpAt = now.addingTimeInterval(configuration.giveUpAfter)
            delivery.createdAt = now
            try await delivery.create(on: database)
        }
    }
}
