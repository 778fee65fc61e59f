import FluentKit
import Foundation

/// What `POST …/alert-rules` takes; on PATCH every field is optional and `condition` cannot change.
package struct AlertRuleRequest: Sendable, Codable {
    package var name: String?
    package var condition: String?
    /// A count (`conflicts_open_over`) or minutes (`peer_disconnected_for`, `remote_unreachable_for`,
    /// `job_duration_over`); none for `job_failed`.
    package var threshold: Int?
    package var remoteDatabaseID: UUID?
    package var channelIDs: [UUID]?
    package var enabled: Bool?

    package init(
        name: String? = nil, condition: String? = nil, threshold: Int? = nil, remoteDatabaseID: UUID? = nil, channelIDs: [UUID]? = nil,
        enabled: Bool? = nil
    ) {
        self.name = name
        self.condition = condition
        self.threshold = threshold
        self.remoteDatabaseID = remoteDatabaseID
        self.channelIDs = channelIDs
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey {
        case name, condition, threshold, remoteDatabaseID = "remote_database_id", channelIDs = "channel_ids", enabled
    }
}

/// A tenant's (or the platform's) alert rules.
package struct AlertRules: Sendable {
    let database: any Database
    /// Rung when a rule changes, so it is looked at at once.
    let changed: Doorbell

    package func create(_ request: AlertRuleRequest, tenantID: UUID?) async throws -> AlertRule {
        let rule = AlertRule()
        rule.id = UUID()
        rule.tenantID = tenantID
        rule.name = try AlertNames.check(request.name)
        guard let text = request.condition, let condition = AlertCondition(rawValue: text) else {
            throw PlatformError.validation(field: "condition", "must be \(StoredChoice.list(AlertCondition.allCases.map(\.rawValue)))")
        }
        rule.condition = condition
        rule.threshold = try Self.threshold(request.threshold, for: condition)
        rule.remoteDatabaseID = try await remoteDatabase(request.remoteDatabaseID, condition: condition, tenantID: tenantID)
        rule.channelIDsJSON = try StoredJSON.text(try await channels(request.channelIDs, tenantID: tenantID))
        rule.enabled = request.enabled ?? true
        try await checkNameFree(rule.name, tenantID: tenantID, except: nil)
        try await rule.create(on: database)
        changed.ring()
        return rule
    }

    package func list(tenantID: UUID?) async throws -> [AlertRule] {
        try await scoped(tenantID).sort(\.$name).all()
    }

    package func find(_ id: UUID, tenantID: UUID?) async throws -> AlertRule {
        guard let rule = try await scoped(tenantID).filter(\.$id == id).first() else { throw PlatformError.notFound("alert rule", id.uuidString) }
        return rule
    }

    package func update(_ id: UUID, with request: AlertRuleRequest, tenantID: UUID?) async throws -> AlertRule {
        let rule = try await find(id, tenantID: tenantID)
        if let condition = request.condition, condition != rule.condition.rawValue {
            throw PlatformError.validation(field: "condition", "cannot change: create another rule")
        }
        if let name = request.name {
            rule.name = try AlertNames.check(name)
            try await checkNameFree(rule.name, tenantID: tenantID, except: id)
        }
        if request.threshold != nil { rule.threshold = try Self.threshold(request.threshold, for: rule.condition) }
        if let remote = request.remoteDatabaseID {
            rule.remoteDatabaseID = try await remoteDatabase(remote, condition: rule.condition, tenantID: tenantID)
        }
        if let ids = request.channelIDs { rule.channelIDsJSON = try StoredJSON.text(try await channels(ids, tenantID: tenantID)) }
        if let enabled = request.enabled { rule.enabled = enabled }
        try await rule.save(on: database)
        changed.ring()
        return rule
    }

    package func delete(_ id: UUID, tenantID: UUID?) async throws {
        try await find(id, tenantID: tenantID).delete(on: database)
    }

    /// The subjects the rule is firing for now.
    package func firing(_ rule: AlertRule) async throws -> [String] {
        try await firing([rule])[try rule.requireID()] ?? []
    }

    /// The subjects each of `rules` is firing for now, by rule id (one query for a whole list).
    package func firing(_ rules: [AlertRule]) async throws -> [UUID: [String]] {
        let ids = rules.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let open = try await AlertIncident.query(on: database).filter(\.$ruleID ~~ ids).filter(\.$resolvedAt == nil).sort(\.$openedAt).all()
        return Dictionary(grouping: open, by: \.ruleID).mapValues { $0.map(\.subject) }
    }

    /// The rule's channels' ids.
    package static func channelIDs(of rule: AlertRule) -> [UUID] {
        (try? StoredJSON.value([UUID].self, rule.channelIDsJSON)) ?? []
    }

    /// The threshold a condition takes, with its default.
    static func threshold(_ given: Int?, for condition: AlertCondition) throws -> Int? {
        switch condition {
        case .jobFailed:
            guard given == nil else { throw PlatformError.validation(field: "threshold", "job_failed takes no threshold") }
            return nil
        case .conflictsOpenOver:
            let count = given ?? 0
            guard (0...1_000_000).contains(count) else { throw PlatformError.validation(field: "threshold", "a count of conflicts (0-1000000)") }
            return count
        case .peerDisconnectedFor, .remoteUnreachableFor, .jobDurationOver:
            let minutes = given ?? (condition == .jobDurationOver ? 60 : 5)
            // 0: as soon as it holds.
            guard (0...10_080).contains(minutes) else { throw PlatformError.validation(field: "threshold", "minutes (0-10080)") }
            return minutes
        }
    }

    private func remoteDatabase(_ id: UUID?, condition: AlertCondition, tenantID: UUID?) async throws -> UUID? {
        guard let id else { return nil }
        if condition == .peerDisconnectedFor {
            throw PlatformError.validation(field: "remote_database_id", "peer_disconnected_for watches peers, not a remote database")
        }
        var query = RemoteDatabase.query(on: database).filter(\.$id == id)
        if let tenantID { query = query.filter(\.$tenantID == tenantID) }
        guard try await query.first() != nil else {
            throw PlatformError.validation(field: "remote_database_id", "no such remote database in this tenant")
        }
        return id
    }

    private func channels(_ ids: [UUID]?, tenantID: UUID?) async throws -> [UUID] {
        guard let ids, (1...10).contains(ids.count) else { throw PlatformError.validation(field: "channel_ids", "list 1 to 10 alert channels") }
        let unique = Array(Set(ids))
        var query = AlertChannel.query(on: database).filter(\.$id ~~ unique)
        query = tenantID.map { query.filter(\.$tenantID == $0) } ?? query.filter(\.$tenantID == nil)
        let found = Set(try await query.all().compactMap(\.id))
        if let missing = unique.first(where: { !found.contains($0) }) {
            throw PlatformError.validation(field: "channel_ids", "no alert channel \(missing.uuidString) here")
        }
        var seen = Set<UUID>()
        return ids.filter { seen.insert($0).inserted }
    }

    private func scoped(_ tenantID: UUID?) -> QueryBuilder<AlertRule> {
        AlertScope.query(AlertRule.self, tenantID, on: database)
    }

    private func checkNameFree(_ name: String, tenantID: UUID?, except: UUID?) async throws {
        try await AlertScope.checkNameFree(AlertRule.self, name, tenantID: tenantID, except: except, on: database)
    }
}
