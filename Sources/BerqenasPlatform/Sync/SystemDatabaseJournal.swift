import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation
import Synchronization

/// A job's journal in the system database: cursors, checkpoint, undo images, conflicts, progress.
/// Without a job (continuous sync) it keeps cursors and conflicts only.
final class SystemDatabaseJournal: SyncJournal, Sendable {
    let database: any Database
    let jobID: UUID?
    let tenantID: UUID
    let remoteID: UUID
    let strategy: ConflictStrategy
    /// Continuous sync: whether it should stop (checked where a job checks for cancellation).
    let shouldStop: @Sendable () -> Bool
    /// Where progress and parked conflicts are told.
    let events: EventLog
    /// When the last progress event went out (they are `EventLog.progressInterval` apart at least).
    private let lastProgressEvent = Mutex<ContinuousClock.Instant?>(nil)
    /// Cursors read or written through this journal, with their rows' ids (a continuous loop keeps its journal
    /// between ticks, and its lease makes it the only writer of its remote's cursors).
    private let cursors = Mutex<[String: KnownCursor]>([:])

    private struct KnownCursor {
        let rowID: UUID
        let cursor: String
    }

    init(database: any Database, job: SyncJob, events: EventLog, shuttingDown: @escaping @Sendable () -> Bool = { false }) throws {
        self.events = events
        self.database = database
        self.jobID = try job.requireID()
        self.tenantID = job.tenantID
        self.remoteID = job.remoteDatabaseID
        self.strategy = job.conflictStrategy
        self.shouldStop = shuttingDown
    }

    /// The journal of a remote database's continuous sync.
    init(database: any Database, continuous remote: RemoteDatabase, events: EventLog, shouldStop: @escaping @Sendable () -> Bool) throws {
        self.events = events
        self.database = database
        self.jobID = nil
        self.tenantID = remote.tenantID
        self.remoteID = try remote.requireID()
        self.strategy = remote.continuousStrategy
        self.shouldStop = shouldStop
    }

    /// Jobs keep undo images of every row they change.
    var keepsUndo: Bool { jobID != nil }

    func cursor(of table: TableRef, side: SyncSide) async throws -> String? {
        try await knownCursor(table, side)?.cursor
    }

    func saveCursor(_ cursor: String, of table: TableRef, side: SyncSide) async throws {
        let rowID: UUID
        if let known = try await knownCursor(table, side) {
            rowID = known.rowID
            try await SyncCursor.query(on: database).filter(\.$id == rowID).set(\.$cursor, to: cursor).update()
        } else {
            let row = SyncCursor()
            row.remoteDatabaseID = remoteID
            row.tableName = table.description
            row.side = side
            row.cursor = cursor
            try await row.create(on: database)
            rowID = try row.requireID()
        }
        cursors.withLock { $0[Self.cursorKey(table, side)] = KnownCursor(rowID: rowID, cursor: cursor) }
    }

    private func knownCursor(_ table: TableRef, _ side: SyncSide) async throws -> KnownCursor? {
        let key = Self.cursorKey(table, side)
        if let known = cursors.withLock({ $0[key] }) { return known }
        guard
            let row = try await SyncCursor.query(on: database).filter(\.$remoteDatabaseID == remoteID)
                .filter(\.$tableName == table.description).filter(\.$side == side).first()
        else { return nil }
        let known = KnownCursor(rowID: try row.requireID(), cursor: row.cursor)
        cursors.withLock { $0[key] = known }
        return known
    }

    private static func cursorKey(_ table: TableRef, _ side: SyncSide) -> String { "\(side.rawValue) \(table.description)" }

    func checkpoint() async throws -> FullCopyCheckpoint? {
        guard jobID != nil, let text = try await job().checkpointJSON else { return nil }
        return try StoredJSON.value(FullCopyCheckpoint.self, text)
    }

    func saveCheckpoint(_ checkpoint: FullCopyCheckpoint?) async throws {
        guard let jobID else { return }
        let text = try checkpoint.map(StoredJSON.text)
        try await SyncJob.query(on: database).filter(\.$id == jobID).set(\.$checkpointJSON, to: text).update()
    }

    /// Keeps a batch's undo images as one row, written before the batch itself: no change is ever made
    /// without its undo image. Compact: the row before, and only a fingerprint of what the job wrote.
    func recordUndo(_ entries: [UndoEntry]) async throws {
        guard !entries.isEmpty, let jobID else { return }
        let batch = SyncUndoBatch()
        batch.jobID = jobID
        batch.sequence = Int64(Date().timeIntervalSince1970 * 1_000_000)
        batch.entriesJSON = StoredUndoGroup.text(StoredUndoGroup.groups(entries.map(UndoImage.init)))
        try await batch.create(on: database)
    }

    func parkedKeys(of table: SyncTablePair) async throws -> Set<RowKey> {
        let open = try await openConflicts(table)
        return Set(try open.map { try StoredJSON.value(RowKey.self, $0.keyJSON) })
    }

    private func openConflicts(_ table: SyncTablePair) async throws -> [SyncConflict] {
        try await SyncConflict.query(on: database).filter(\.$remoteDatabaseID == remoteID)
            .filter(\.$localTable == table.local.description).filter(\.$status == .open).all()
    }

    func recordConflicts(_ conflicts: [PlannedConflict], of table: SyncTablePair) async throws {
        let open = Dictionary(try await openConflicts(table).map { ($0.keyJSON, $0) }, uniquingKeysWith: { first, _ in first })
        var opened = 0
        for planned in conflicts {
            let keyText = try StoredJSON.text(planned.key)
            let row = open[keyText] ?? SyncConflict()
            if row.id == nil {
                row.tenantID = tenantID
                row.remoteDatabaseID = remoteID
                row.localTable = table.local.description
                row.cloudTable = table.cloud.description
                row.keyJSON = keyText
                row.baseJSON = try planned.base.map(StoredJSON.text)
                row.localJSON = nil
                row.cloudJSON = nil
                row.localCapturedAt = ""
                row.cloudCapturedAt = ""
            }
            row.jobID = jobID
            if planned.changedOn.contains(.local) {
                row.localJSON = try planned.local.map(StoredJSON.text)
                row.localCapturedAt = planned.localCapturedAt
            }
            if planned.changedOn.contains(.cloud) {
                row.cloudJSON = try planned.cloud.map(StoredJSON.text)
                row.cloudCapturedAt = planned.cloudCapturedAt
            }
            if let winner = planned.winner {
                row.status = .resolved
                row.winner = ConflictWinner(winner)
                row.resolvedBy = "strategy:\(strategy.rawValue)"
                row.resolvedAt = Date()
            } else {
                if row.id == nil { opened += 1 }
                row.status = .open
            }
            try await row.save(on: database)
        }
        if opened > 0 { await conflictsOpened(opened, in: table) }
    }

    /// One event for the conflicts a batch parked.
    private func conflictsOpened(_ count: Int, in table: SyncTablePair) async {
        var data: [(String, JSONValue)] = [
            ("count", .int(count)), ("remote_database_id", .id(remoteID)), ("table", .string(table.local.description)),
        ]
        if let jobID { data.append(("job_id", .id(jobID))) }
        await events.announce(
            .syncConflictOpened, tenantID: tenantID, subject: "remote-database:\(remoteID)",
            message: "\(count) conflict(s) in \(table.local.description) wait for a decision", data: data)
    }

    func report(progress: SyncProgress, results: [SyncTableResult]) async throws {
        guard let jobID else { return }
        try await SyncJob.query(on: database).filter(\.$id == jobID)
            .set(\.$progressJSON, to: try StoredJSON.text(progress)).update()
        let now = ContinuousClock.now
        let due = lastProgressEvent.withLock { last in
            guard last.map({ now - $0 >= EventLog.progressInterval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        await events.announce(
            .syncJobProgress, tenantID: tenantID, subject: "sync-job:\(jobID)",
            message: "\(progress.rowsDone) of about \(progress.rowsTotalEstimate) row(s), \(progress.tablesDone) of \(progress.tablesTotal) table(s)",
            data: [
                ("job_id", .id(jobID)), ("remote_database_id", .id(remoteID)), ("rows_done", .int(progress.rowsDone)),
                ("rows_total_estimate", .int(progress.rowsTotalEstimate)), ("tables_done", .int(progress.tablesDone)),
                ("tables_total", .int(progress.tablesTotal)),
                ("cloud_to_local", .int(results.reduce(0) { $0 + $1.cloudToLocal })),
                ("local_to_cloud", .int(results.reduce(0) { $0 + $1.localToCloud })),
            ])
    }

    func checkCancelled() async throws {
        guard jobID != nil else {
            if shouldStop() { throw SyncStop.cancelled }
            return
        }
        if shouldStop() { throw SyncStop.shuttingDown }
        if try await job().cancelRequested { throw SyncStop.cancelled }
    }

    private func job() async throws -> SyncJob {
        guard let jobID, let job = try await SyncJob.find(jobID, on: database) else {
            throw SyncError("job_missing", "the job was deleted while it ran")
        }
        return job
    }
}
