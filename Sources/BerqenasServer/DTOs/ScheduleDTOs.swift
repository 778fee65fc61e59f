import BerqenasPlatform
import BerqenasSync
import Foundation
import OpenAPIKit
import Vapor

/// A schedule request: `every_minutes` or `cron` (five fields, UTC).
package struct ScheduleBody: Content {
    package let everyMinutes: Int?
    package let cron: String?
    package let mode: String
    package let conflictStrategy: String?
    package let tables: [String]?
    package let enabled: Bool?

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

    var request: ScheduleRequest {
        ScheduleRequest(
            everyMinutes: everyMinutes, cron: cron, mode: mode, conflictStrategy: conflictStrategy, tables: tables,
            enabled: enabled ?? true)
    }

    static let schema = WireSchema.of(
        Self.self, .request,
        overriding: [
            "mode": .string(allowedValues: SyncMode.allowedValues), "conflict_strategy": .string(allowedValues: ConflictStrategy.allowedValues),
        ])
}

/// A schedule as the API shows it.
struct ScheduleResponse: Content {
    @ExplicitNull var everyMinutes: Int?
    @ExplicitNull var cron: String?
    let mode: SyncMode
    let conflictStrategy: ConflictStrategy
    let tables: [String]
    let enabled: Bool
    @ExplicitNull var nextRunAt: Date?
    @ExplicitNull var lastRunAt: Date?

    enum CodingKeys: String, CodingKey {
        case everyMinutes = "every_minutes", cron, mode, conflictStrategy = "conflict_strategy", tables, enabled
        case nextRunAt = "next_run_at", lastRunAt = "last_run_at"
    }

    init(_ schedule: SyncSchedule) {
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
