import BerqenasPlatform
import BerqenasSync
import Foundation
import OpenAPIKit
import Vapor

extension ScheduleRequest {
    static let schema = WireSchema.of(
        Self.self, .request,
        overriding: [
            "mode": .string(allowedValues: SyncMode.allowedValues), "conflict_strategy": .string(allowedValues: ConflictStrategy.allowedValues),
        ])
}

/// A schedule as the API shows it.
struct ScheduleResponse: Content {
    let remoteDatabaseID: UUID
    @ExplicitNull var everyMinutes: Int?
    @ExplicitNull var cron: String?
    let mode: SyncMode
    let conflictStrategy: ConflictStrategy
    let tables: [String]
    let enabled: Bool
    @ExplicitNull var nextRunAt: Date?
    @ExplicitNull var lastRunAt: Date?

    enum CodingKeys: String, CodingKey {
        case remoteDatabaseID = "remote_database_id", everyMinutes = "every_minutes", cron, mode, conflictStrategy = "conflict_strategy", tables,
            enabled
        case nextRunAt = "next_run_at", lastRunAt = "last_run_at"
    }

    init(_ schedule: SyncSchedule) {
        remoteDatabaseID = schedule.remoteDatabaseID
        everyMinutes = schedule.everyMinutes
        cron = schedule.cron
        mode = schedule.mode
        conflictStrategy = schedule.conflictStrategy
        tables = (try? JSONDecoder().decode([String].self, from: Data(schedule.tablesJSON.utf8))) ?? []
        enabled = schedule.enabled
        nextRunAt = schedule.nextRunAt
        lastRunAt = schedule.lastRunAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}
