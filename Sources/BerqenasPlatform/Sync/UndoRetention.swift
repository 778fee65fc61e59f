import FluentKit
import Foundation

/// How long a finished job can be rolled back: its undo images are dropped once it finished longer ago.
struct UndoRetention: Sendable {
    let days: Int
    /// How often a worker drops expired images.
    static let pruneEvery: TimeInterval = 3_600
    /// Jobs whose images one statement drops.
    static let jobsPerDelete = 200

    var cutoff: Date { Date().addingTimeInterval(-Double(days) * 86_400) }

    func hasExpired(_ job: SyncJob) -> Bool {
        job.finishedAt.map { $0 < cutoff } ?? false
    }

    /// Drops the undo images of jobs finished before the cutoff, a few jobs per statement (writers are not
    /// held up behind one long delete); returns how many jobs lost theirs.
    func prune(on database: any Database) async throws -> Int {
        let expired = Array(
            Set(
                try await SyncUndoBatch.query(on: database)
                    .join(SyncJob.self, on: \SyncUndoBatch.$jobID == \SyncJob.$id)
                    .filter(SyncJob.self, \.$finishedAt < cutoff)
                    .field(\.$jobID).unique().all().map(\.jobID)))
        for start in stride(from: 0, to: expired.count, by: Self.jobsPerDelete) {
            let jobs = Array(expired[start..<min(start + Self.jobsPerDelete, expired.count)])
            try await SyncUndoBatch.query(on: database).filter(\.$jobID ~~ jobs).delete()
        }
        return expired.count
    }
}
