import BerqenasSync
import FluentKit
import Foundation

/// How far a rollback job got, saved on the job after every undo batch: a rollback resumed by another
/// server (or queued again after it failed) goes on from there instead of judging its own writes anew.
struct RollbackCheckpoint: Codable {
    /// Undo batches done, newest first.
    var batchesDone = 0
    /// Whether the next batch may have been started (some of its rows may be restored already).
    var started = false
    var tally = RollbackTally()
}

extension SyncWorker {
    /// Rolls back the job `target` batch by batch, newest first, from the rollback job's checkpoint, reporting
    /// the rows handled as progress. Only the batches' ids are read up front; each batch's images are read
    /// and decoded while the batch before it is written.
    func rollBack(_ target: UUID, job: SyncJob, with runner: SyncRunner, journal: SystemDatabaseJournal) async throws -> RollbackTally {
        let newestFirst = try await SyncUndoBatch.query(on: database).filter(\.$jobID == target)
            .sort(\.$sequence, .descending).sort(\.$id, .descending).field(\.$id).all().compactMap(\.id)
        var checkpoint = try job.checkpointJSON.map { try StoredJSON.value(RollbackCheckpoint.self, $0) } ?? RollbackCheckpoint()
        guard checkpoint.batchesDone < newestFirst.count else { return checkpoint.tally }
        var progress = SyncProgress()
        let remaining = Array(newestFirst[checkpoint.batchesDone...])
        var reading: Task<[UndoImage], any Error>? = Self.readUndo(remaining[0], on: database)
        do {
            for index in remaining.indices {
                guard let images = try await reading?.value else { break }
                reading = index + 1 < remaining.count ? Self.readUndo(remaining[index + 1], on: database) : nil
                let resumed = checkpoint.started
                if !checkpoint.started {
                    checkpoint.started = true
                    try await save(checkpoint, of: job)
                }
                try await runner.rollback(images, resumed: resumed, tally: &checkpoint.tally)
                // Done, and the next batch (if any) begins now: one write says both.
                checkpoint.batchesDone += 1
                try await save(checkpoint, of: job)
                progress.rowsDone += images.count
                try await journal.report(progress: progress, results: [])
            }
        } catch {
            // A read still running finishes first (it holds a pooled connection).
            _ = await reading?.result
            throw error
        }
        return checkpoint.tally
    }

    /// Starts reading and decoding one undo batch.
    private static func readUndo(_ id: UUID, on database: any Database) -> Task<[UndoImage], any Error> {
        Task {
            guard let batch = try await SyncUndoBatch.find(id, on: database) else { return [] }
            return try StoredUndoGroup.images(from: batch.entriesJSON)
        }
    }

    private func save(_ checkpoint: RollbackCheckpoint, of job: SyncJob) async throws {
        try await SyncJob.query(on: database).filter(\.$id == job.requireID())
            .set(\.$checkpointJSON, to: try StoredJSON.text(checkpoint)).update()
    }
}
