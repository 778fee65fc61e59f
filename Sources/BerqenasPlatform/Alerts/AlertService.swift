import FluentKit
import Foundation

/// Alerts: channels, rules, the monitor that raises and clears them, and the dispatcher that sends them.
package struct AlertService: Sendable {
    let database: any Database
    package let settings: AlertSettings
    package let channels: AlertChannels
    package let rules: AlertRules
    package let monitor: AlertMonitor
    package let dispatcher: AlertDispatcher

    init(database: any Database, secrets: SecretBox, destinations: DestinationPolicy, settings: AlertSettings, serverID: String) {
        self.database = database
        self.settings = settings
        let sender = AlertSender(secrets: secrets, destinations: destinations)
        let queued = Doorbell()
        let look = Doorbell()
        self.channels = AlertChannels(database: database, secrets: secrets, sender: sender)
        self.rules = AlertRules(database: database, changed: look)
        self.monitor = AlertMonitor(database: database, configuration: settings, bell: look, queued: queued)
        self.dispatcher = AlertDispatcher(database: database, sender: sender, settings: settings, serverID: serverID, bell: queued)
    }

    /// The deliveries of a tenant (nil: the platform's), newest first, at most `limit`, optionally of one rule.
    package func deliveries(tenantID: UUID?, ruleID: UUID? = nil, limit: Int) async throws -> [AlertDelivery] {
        guard (1...500).contains(limit) else { throw PlatformError.validation(field: "limit", "between 1 and 500") }
        var query = AlertDelivery.query(on: database)
        query = tenantID.map { query.filter(\.$tenantID == $0) } ?? query.filter(\.$tenantID == nil)
        if let ruleID { query = query.filter(\.$ruleID == ruleID) }
        return try await query.sort(\.$createdAt, .descending).limit(limit).all()
    }
}
