import BerqenasSync
import FluentKit
import Foundation
import SQLKit

/// What a schedule asks for: the body of `PUT …/schedule`, `every_minutes` or `cron` (five fields, UTC).
package struct ScheduleRequest: Sendable, Codable {
    package var everyMinutes: Int?
    package var cron: String?
    package var mode: String
    package var conflictStrategy: String?
    package var tables: [String]?
    /// Nil: enabled.
    package var enabled: Bool?

    /// Creates a request.
    package init(
        everyMinutes: Int? = nil, cron: String? = nil, mode: String, conflictStrategy: String? = nil, tables: [String]? = nil, enabled: Bool? = nil
    ) {
        self.everyMinutes = everyMinutes
        self.cron = cron
        self.mode = mode
        self.conflictStrategy = conflictStrategy
        self.tables = tables
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey {
        case everyMinutes = "every_minutes", cron, mode, conflictStrategy = "conflict_strategy", tables, enabled
    }
}

/// Remote databases that sync by themselves, every N minutes or on a cron expression.
package struct ScheduleService: Sendable {
    let database: any Database
    let jobs: SyncJobService

    /// Sets (or replaces) a remote database's schedule.
    package func put(_ request: ScheduleRequest, remote: RemoteDatabase, now: Date = Date()) async throws -> SyncSchedule {
        switch (request.everyMinutes, request.cron) {
        case (nil, nil), (.some, .some):
            throw PlatformError.validation(field: "every_minutes", "give either every_minutes or cron")
        case let (minutes?, nil):
            guard (1...525_600).contains(minutes) else {
                throw PlatformError.validation(field: "every_minutes", "must be between 1 and 525600")
            }
        case let (nil, cron?):
            _ = try CronExpression(cron)
        }
        let mode = try RemoteDatabaseRules.mode(request.mode)
        let strategy = try RemoteDatabaseRules.strategy(request.conflictStrategy ?? ConflictStrategy.latestWins.rawValue)
        let schedule = try await find(remote) ?? SyncSchedule()
        schedule.remoteDatabaseID = try remote.requireID()
        schedule.everyMinutes = request.everyMinutes
        schedule.cron = try request.cron.map { try CronExpression($0).text }
        schedule.mode = mode
        schedule.conflictStrategy = strategy
        schedule.tablesJSON = try StoredJSON.text(request.tables ?? [])
        schedule.enabled = request.enabled ?? true
        schedule.nextRunAt = schedule.enabled ? try Self.nextRun(of: schedule, after: now) : nil
        try await schedule.save(on: database)
        return schedule
    }

    /// A remote database's schedule, if it has one.
    package func find(_ remote: RemoteDatabase) async throws -> SyncSchedule? {
        try await SyncSchedule.query(on: database).filter(\.$remoteDatabaseID == remote.requireID()).first()
    }

    /// The schedules of a tenant's remote databases (two indexed queries, however many remotes).
    package func list(tenant: Tenant) async throws -> [SyncSchedule] {
        let remotes = try await RemoteDatabase.query(on: database).filter(\.$tenantID == tenant.requireID()).all(\.$id)
        guard !remotes.isEmpty else { return [] }
        return try await SyncSchedule.query(on: database).filter(\.$remoteDatabaseID ~~ remotes).all()
    }

    /// Removes a remote database's schedule; false when it had none.
    package func delete(_ remote: RemoteDatabase) async throws -> Bool {
        guard let schedule = try await find(remote) else { return false }
        try await schedule.delete(on: database)
        return true
    }

    /// The next run after `date`.
    static func nextRun(of schedule: SyncSchedule, after date: Date) throws -> Date? {
        if let minutes = schedule.everyMinutes { return date.addingTimeInterval(TimeInterval(minutes * 60)) }
        return try schedule.cron.flatMap { try CronExpression($0).next(after: date) }
    }

    /// Queues the jobs of schedules that are due. Slots missed while no server ran count once: the next
    /// run is computed from now, not from the missed slot. A remote with an active job is tried again at
    /// the next tick. With several servers, the conditional update lets one of them queue each run.
    func runDue(now: Date = Date()) async throws {
        let due = try await SyncSchedule.query(on: database).filter(\.$enabled == true).filter(\.$nextRunAt <= now).all()
        for schedule in due {
            guard let remote = try await RemoteDatabase.find(schedule.remoteDatabaseID, on: database),
                try await Tenant.isActive(remote.tenantID, on: database)
            else { continue }
            let active = try await SyncJob.query(on: database).filter(\.$remoteDatabaseID == schedule.remoteDatabaseID)
                .filter(\.$status ~~ [.queued, .running]).count()
            guard active == 0, let sql = database as? any SQLDatabase else { continue }
            let next = try Self.nextRun(of: schedule, after: now)
            let won = try await sql.raw(
                """
                UPDATE sync_schedules SET next_run_at = \(bind: next), last_run_at = \(bind: now)
                WHERE id = \(bind: try schedule.requireID()) AND enabled AND next_run_at <= \(bind: now) RETURNING id
                """
            ).first()
            guard won != nil else { continue }
            _ = try? await jobs.enqueueScheduled(schedule, remote: remote)
        }
    }
}
