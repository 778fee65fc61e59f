import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// A job's journal in the system database: cursors, checkpoint, undo images, conflicts, progress.
/// Without a job (continuous sync) it keeps cursors and conflicts only.
final class SystemDatabaseJournal: SyncJournal, @unchecked Sendable {
    let database: any Database
    let jobID: UUID?
    let tenantID: UUID
    let remoteID: UUID
    let strategyName: String
    /// Continuous sync: whether it should stop (checked where a job checks for cancellation).
    let shouldStop: @Sendable () -> Bool
    private let lock = NSLock()
    /// Cursor rows read or written through this journal (a continuous loop keeps its journal between
    /// ticks, and its lease makes it the only writer of its remote's cursors).
    private var cursorRows: [String: SyncCursor] = [:]

    init(database: any Database, job: SyncJob, shuttingDown: @escaping @Sendable () -> Bool = { false }) throws {
        self.database = database
        self.jobID = try job.requireID()
        self.tenantID = job.tenantID
        self.remoteID = job.remoteDatabaseID
        self.strategyName = job.conflictStrategy
        self.shouldStop = shuttingDown
    }

    /// The journal of a remote database's continuous sync.
    init(database: any Database, continuous remote: RemoteDatabase, shouldStop: @escaping @Sendable () -> Bool) throws {
        self.database = database
        self.jobID = nil
        self.tenantID = remote.tenantID
        self.remoteID = try remote.requireID()
        self.strategyName = remote.continuousStrategy
        self.shouldStop = shouldStop
    }

    /// Jobs keep undo images of every row they change.
    var keepsUndo: Bool { jobID != nil }

    func cursor(of table: TableRef, side: SyncSide) async throws -> String? {
        try await cursorRow(table, side)?.cursor
    }

    func saveCursor(_ cursor: String, of table: TableRef, side: SyncSide) async throws {
        if let row = try await cursorRow(table, side) {
            row.cursor = cursor
            try await row.save(on: database)
        } else {
            let row = SyncCursor()
            row.remoteDatabaseID = remoteID
            row.tableName = table.description
            row.side = side.rawValue
            row.cursor = cursor
            try await row.create(on: database)
            lock.withLock { cursorRows[Self.cursorKey(table, side)] = row }
        }
    }

    private func cursorRow(_ table: TableRef, _ side: SyncSide) async throws -> SyncCursor? {
        let key = Self.cursorKey(table, side)
        if let known = lock.withLock({ cursorRows[key] }) { return known }
        let row = try await SyncCursor.query(on: database).filter(\.$remoteDatabaseID == remoteID)
            .filter(\.$tableName == table.description).filter(\.$side == side.rawValue).first()
        if let row { lock.withLock { cursorRows[key] = row } }
        return row
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
            .filter(\.$localTable == table.local.description).filter(\.$status == "open").all()
    }

    func recordConflicts(_ conflicts: [PlannedConflict], of table: SyncTablePair) async throws {
        let open = Dictionary(try await openConflicts(table).map { ($0.keyJSON, $0) }, uniquingKeysWith: { first, _ in first })
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
                row.status = "resolved"
                row.winner = winner.rawValue
                row.resolvedBy = "strategy:\(strategyName)"
                row.resolvedAt = Date()
            } else {
                row.status = "open"
            }
            try await row.save(on: database)
        }
    }

    func report(progress: SyncProgress, results: [SyncTableResult]) async throws {
        guard let jobID else { return }
        try await SyncJob.query(on: database).filter(\.$id == jobID)
            .set(\.$progressJSON, to: try StoredJSON.text(progress)).update()
    }

    func checkCancelled() async throws {
        guard jobID != nil else {
            if shouldStop() { throw SyncError("cancelled", "continuous sync stopped") }
            return
        }
        if shouldStop() { throw SyncError("shutting_down", "the server is stopping; the job resumes when a server takes it") }
        if try await job().cancelRequested { throw SyncError("cancelled", "the job was cancelled") }
    }

    private func job() async throws -> SyncJob {
        guard let jobID, let job = try await SyncJob.find(jobID, on: database) else {
            throw SyncError("job_missing", "the job was deleted while it ran")
        }
        return job
    }
}
