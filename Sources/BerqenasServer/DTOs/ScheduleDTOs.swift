import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// A schedule request: `every_minutes` or `cron` (five fields, UTC).
struct ScheduleBody: Content {
    let everyMinutes: Int?
    let cron: String?
    let mode: String
    let conflictStrategy: String?
    let tables: [String]?
    let enabled: Bool?

    enum CodingKeys: String, CodingKey {
        case everyMinutes = "every_minutes", cron, mode, conflictStrategy = "conflict_strategy", tables, enabled
    }

    var request: ScheduleRequest {
        ScheduleRequest(everyMinutes: everyMinutes, cron: cron, mode: mode, conflictStrategy: conflictStrategy, tables: tables,
                        enabled: enabled ?? true)
    }

    static let schema: JSONSchema = .object(properties: [
        "every_minutes": .integer(required: false), "cron": .string(required: false),
        "mode": .string(allowedValues: ["full", "incremental", "bidirectional"]),
        "conflict_strategy": .string(required: false), "tables": .array(required: false, items: .string),
        "enabled": .boolean(required: false),
    ])
}

/// A schedule as the API shows it.
struct ScheduleResponse: Content {
    let everyMinutes: Int?
    let cron: String?
    let mode: String
    let conflictStrategy: String
    let tables: [String]
    let enabled: Bool
    let nextRunAt: Date?
    let lastRunAt: Date?

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

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(everyMinutes, forKey: .everyMinutes)
        try container.encode(cron, forKey: .cron)
        try container.encode(mode, forKey: .mode)
        try container.encode(conflictStrategy, forKey: .conflictStrategy)
        try container.encode(tables, forKey: .tables)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(nextRunAt, forKey: .nextRunAt)
        try container.encode(lastRunAt, forKey: .lastRunAt)
    }

    static let schema: JSONSchema = .object(properties: [
        "every_minutes": .integer(nullable: true), "cron": .string(nullable: true), "mode": .string,
        "conflict_strategy": .string, "tables": .array(items: .string), "enabled": .boolean,
        "next_run_at": .string(format: .dateTime, nullable: true), "last_run_at": .string(format: .dateTime, nullable: true),
    ])
}
