import BerqenasPlatform
import BerqenasSync
import DatabaseConnectors
import Foundation
import OpenAPIKit
import Vapor

/// A sync request.
package struct SyncJobRequest: Content {
    package let mode: String
    package let tables: [String]?
    package let conflictStrategy: String?
    package let dryRun: Bool?
    package let repair: Bool?

    package init(mode: String, tables: [String]? = nil, conflictStrategy: String? = nil, dryRun: Bool? = nil, repair: Bool? = nil) {
        self.mode = mode
        self.tables = tables
        self.conflictStrategy = conflictStrategy
        self.dryRun = dryRun
        self.repair = repair
    }

    enum CodingKeys: String, CodingKey { case mode, tables, repair, conflictStrategy = "conflict_strategy", dryRun = "dry_run" }

    static let schema = WireSchema.of(
        Self.self, .request,
        overriding: [
            "mode": .string(allowedValues: SyncMode.allowedValues), "conflict_strategy": .string(allowedValues: ConflictStrategy.allowedValues),
        ])
}

/// A verification request: compare both sides without writing; with `repair`, carry the differences.
package struct VerifyRequest: Content {
    package let tables: [String]?
    package let repair: Bool?
    package let conflictStrategy: String?

    package init(tables: [String]? = nil, repair: Bool? = nil, conflictStrategy: String? = nil) {
        self.tables = tables
        self.repair = repair
        self.conflictStrategy = conflictStrategy
    }

    enum CodingKeys: String, CodingKey { case tables, repair, conflictStrategy = "conflict_strategy" }

    static let schema = WireSchema.of(
        Self.self, .request, overriding: ["conflict_strategy": .string(allowedValues: ["cloud_wins", "local_wins", "manual"])])
}

/// The answer to a queued job.
struct JobAcceptedResponse: Content {
    let jobID: UUID
    let status: SyncJobStatus

    enum CodingKeys: String, CodingKey { case jobID = "job_id", status }

    static let schema = WireSchema.of(Self.self, .response)
}

/// A job as the API shows it.
struct SyncJobResponse: Content {
    struct Progress: Content {
        let tablesDone: Int
        let tablesTotal: Int
        let rowsDone: Int
        let rowsTotalEstimate: Int

        enum CodingKeys: String, CodingKey {
            case tablesDone = "tables_done", tablesTotal = "tables_total", rowsDone = "rows_done"
            case rowsTotalEstimate = "rows_total_estimate"
        }
    }

    struct TableResult: Content {
        let table: String
        let cloudToLocal: Int
        let localToCloud: Int
        let conflictsDetected: Int
        let conflictsResolved: Int
        let conflictsOpen: Int
        let errors: [String]
        let verification: Verification?

        enum CodingKeys: String, CodingKey {
            case table, cloudToLocal = "cloud_to_local", localToCloud = "local_to_cloud"
            case conflictsDetected = "conflicts_detected", conflictsResolved = "conflicts_resolved"
            case conflictsOpen = "conflicts_open", errors, verification
        }
    }

    /// What a verify job found in one table.
    struct Verification: Content {
        struct Difference: Content {
            let key: [JSONValue]
            let kind: TableVerification.DifferingRow.Kind
            let columns: [String]
        }

        let localRows: Int
        let cloudRows: Int
        let rangesCompared: Int
        let rangesDiffering: Int
        let differingRows: Int
        let differences: [Difference]
        let repaired: Int
        let parked: Int
        let durationMs: Int

        enum CodingKeys: String, CodingKey {
            case differences, repaired, parked
            case localRows = "local_rows", cloudRows = "cloud_rows", rangesCompared = "ranges_compared"
            case rangesDiffering = "ranges_differing", differingRows = "differing_rows", durationMs = "duration_ms"
        }

        init(_ report: TableVerification) {
            localRows = report.localRows
            cloudRows = report.cloudRows
            rangesCompared = report.rangesCompared
            rangesDiffering = report.rangesDiffering
            differingRows = report.differingRows
            differences = report.differences.map { Difference(key: $0.key.map(JSONForm.value), kind: $0.kind, columns: $0.columns) }
            repaired = report.repaired
            parked = report.parked
            durationMs = report.milliseconds
        }
    }

    struct ChangedRow: Content {
        let side: String
        let table: String
        let key: [JSONValue]
    }

    let id: UUID
    let remoteDatabaseID: UUID
    let mode: SyncJobKind
    let tables: [String]
    let conflictStrategy: ConflictStrategy
    let dryRun: Bool
    let status: SyncJobStatus
    let progress: Progress
    let results: [TableResult]
    let rollbackOf: UUID?
    let restored: Int?
    let changedSince: [ChangedRow]?
    let changedSinceCount: Int?
    let undoComplete: Bool
    let attempts: Int
    let requestedBy: String?
    let createdAt: Date?
    let startedAt: Date?
    let finishedAt: Date?
    let durationMs: Int?
    let error: ErrorInfo?

    struct ErrorInfo: Content {
        let code: String
        let message: String
    }

    enum CodingKeys: String, CodingKey {
        case id, mode, tables, status, progress, results, restored, attempts, error
        case remoteDatabaseID = "remote_database_id", conflictStrategy = "conflict_strategy", dryRun = "dry_run"
        case rollbackOf = "rollback_of", changedSince = "changed_since", undoComplete = "undo_complete"
        case changedSinceCount = "changed_since_count"
        case requestedBy = "requested_by", createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
        case durationMs = "duration_ms"
    }

    init(_ job: SyncJob) throws {
        id = try job.requireID()
        remoteDatabaseID = job.remoteDatabaseID
        mode = job.kind
        tables = (try? JSONDecoder().decode([String].self, from: Data(job.tablesJSON.utf8))) ?? []
        conflictStrategy = job.conflictStrategy
        dryRun = job.dryRun
        status = job.status
        let progress = (try? JSONDecoder().decode(SyncProgress.self, from: Data(job.progressJSON.utf8))) ?? SyncProgress()
        self.progress = Progress(
            tablesDone: progress.tablesDone, tablesTotal: progress.tablesTotal, rowsDone: progress.rowsDone,
            rowsTotalEstimate: progress.rowsTotalEstimate)
        let outcome = (try? JSONDecoder().decode(SyncJobOutcome.self, from: Data(job.resultsJSON.utf8))) ?? SyncJobOutcome()
        results = outcome.tables.map {
            TableResult(
                table: $0.table, cloudToLocal: $0.cloudToLocal, localToCloud: $0.localToCloud,
                conflictsDetected: $0.conflictsDetected, conflictsResolved: $0.conflictsResolved,
                conflictsOpen: $0.conflictsOpen, errors: $0.errors, verification: $0.verification.map(Verification.init))
        }
        rollbackOf = job.rollbackOf
        restored = outcome.restored
        changedSince = outcome.changedSince?.map { ChangedRow(side: $0.side, table: $0.table, key: $0.key) }
        changedSinceCount = outcome.changedSinceCount ?? outcome.changedSince?.count
        undoComplete = outcome.undoComplete
        attempts = job.attempts
        requestedBy = job.requestedBy
        createdAt = job.createdAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        durationMs = zip2(job.startedAt, job.finishedAt).map { Int(($1.timeIntervalSince($0) * 1000).rounded()) }
        error = job.errorCode.map { ErrorInfo(code: $0, message: job.errorMessage ?? "") }
    }

    static let schema = WireSchema.of(Self.self, .response)
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

/// A conflict as the API shows it.
struct ConflictResponse: Content {
    let id: UUID
    let remoteDatabaseID: UUID
    @ExplicitNull var jobID: UUID?
    let table: String
    let cloudTable: String
    let key: [JSONValue]
    @ExplicitNull var base: [String: JSONValue]?
    @ExplicitNull var cloud: [String: JSONValue]?
    @ExplicitNull var local: [String: JSONValue]?
    let localCapturedAt: String
    let cloudCapturedAt: String
    let status: ConflictStatus
    @ExplicitNull var winner: ConflictWinner?
    @ExplicitNull var resolvedBy: String?
    @ExplicitNull var resolvedAt: Date?
    @ExplicitNull var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, table, key, base, cloud, local, status, winner
        case remoteDatabaseID = "remote_database_id", jobID = "job_id", cloudTable = "cloud_table"
        case localCapturedAt = "local_captured_at", cloudCapturedAt = "cloud_captured_at"
        case resolvedBy = "resolved_by", resolvedAt = "resolved_at", createdAt = "created_at"
    }

    init(_ conflict: SyncConflict) throws {
        func plain(_ text: String?) throws -> [String: JSONValue]? {
            try text.map { try JSONDecoder().decode([String: CanonicalValue].self, from: Data($0.utf8)).mapValues(JSONForm.value) }
        }
        id = try conflict.requireID()
        remoteDatabaseID = conflict.remoteDatabaseID
        jobID = conflict.jobID
        table = conflict.localTable
        cloudTable = conflict.cloudTable
        key = try JSONDecoder().decode([CanonicalValue].self, from: Data(conflict.keyJSON.utf8)).map(JSONForm.value)
        base = try plain(conflict.baseJSON)
        cloud = try plain(conflict.cloudJSON)
        local = try plain(conflict.localJSON)
        localCapturedAt = conflict.localCapturedAt
        cloudCapturedAt = conflict.cloudCapturedAt
        status = conflict.status
        winner = conflict.winner
        resolvedBy = conflict.resolvedBy
        resolvedAt = conflict.resolvedAt
        createdAt = conflict.createdAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// A decision on a conflict.
package struct ResolveConflictRequest: Content {
    package let winner: String
    /// The row to write when the winner is `custom`: a JSON object by column name, read exactly (see `exact`).
    package let row: JSONValue?

    package init(winner: String, row: JSONValue? = nil) {
        self.winner = winner
        self.row = row
    }

    /// The request as sent: decoded for its shape and errors, its row read again by the exact parser (Swift's
    /// JSON decoder carries a number through Double or a 38-digit Decimal; a custom row keeps every digit).
    static func exact(_ request: Request) throws -> ResolveConflictRequest {
        let decoded = try request.content.decode(Self.self)
        guard let buffer = request.body.data, let sent = try? JSONValue.parse(Array(buffer.readableBytesView)) else { return decoded }
        return ResolveConflictRequest(winner: decoded.winner, row: sent["row"])
    }

    static let schema = WireSchema.of(
        Self.self, .request, overriding: ["winner": .string(allowedValues: ConflictWinner.allowedValues), "row": .object])
}
