import BerqenasSync
import FluentKit
import Foundation

/// How far a rollback job got, saved on the job after every undo batch: a rollback resumed by another
/// server (or queued again after it failed) goes on from there instead of judging its own writes anew.
struct RollbackCheckpoint: Codable {
    /// Undo batches done, newest first.
    var batchesDone = 0
    /// Whether the next batch was started (some of its rows may be restored already).
    var started = false
    var tally = RollbackTally()
}

extension SyncWorker {
    /// Undo batches read at once by a rollback.
    static let undoBatchesPerRead = 8

    /// Rolls back the job `target` batch by batch, newest first, from the rollback job's checkpoint, reporting
    /// the rows handled as progress. Only the batches' ids are read up front; their images a few at a time.
    func rollBack(_ target: UUID, job: SyncJob, with runner: SyncRunner, journal: SystemDatabaseJournal) async throws -> RollbackTally {
        let newestFirst = try await SyncUndoBatch.query(on: database).filter(\.$jobID == target)
            .sort(\.$sequence, .descending).sort(\.$id, .descending).field(\.$id).all().compactMap(\.id)
        var checkpoint = try job.checkpointJSON.map { try StoredJSON.value(RollbackCheckpoint.self, $0) } ?? RollbackCheckpoint()
        var progress = SyncProgress()
        for start in stride(from: checkpoint.batchesDone, to: newestFirst.count, by: Self.undoBatchesPerRead) {
            let ids = Array(newestFirst[start..<min(start + Self.undoBatchesPerRead, newestFirst.count)])
            let read = try await SyncUndoBatch.query(on: database).filter(\.$id ~~ ids).all()
            let byID = Dictionary(read.compactMap { batch in batch.id.map { ($0, batch) } }, uniquingKeysWith: { first, _ in first })
            for id in ids {
                if let batch = byID[id] {
                    let images = try StoredUndoGroup.images(from: batch.entriesJSON)
                    let resumed = checkpoint.started
                    checkpoint.started = true
                    try await save(checkpoint, of: job)
                    try await runner.rollback(images, resumed: resumed, tally: &checkpoint.tally)
                    progress.rowsDone += images.count
                }
                checkpoint.batchesDone += 1
                checkpoint.started = false
                try await save(checkpoint, of: job)
            }
            try await journal.report(progress: progress, results: [])
        }
        return checkpoint.tally
    }

    private func save(_ checkpoint: RollbackCheckpoint, of job: SyncJob) async throws {
        try await SyncJob.query(on: database).filter(\.$id == job.requireID())
            .set(\.$checkpointJSON, to: try StoredJSON.text(checkpoint)).update()
    }
}
