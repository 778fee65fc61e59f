import DatabaseConnectors
import Foundation

extension EventLog {
    /// An event about a sync job: its subject is the job, its data names the job, its remote database and
    /// what it does, then `extra`.
    func job(_ kind: EventKind, _ job: SyncJob, _ message: String, _ extra: [(String, JSONValue)] = []) async {
        guard let id = job.id else { return }
        await announce(kind, tenantID: job.tenantID, subject: "sync-job:\(id)", message: message, data: Self.data(of: job, id: id) + extra)
    }

    /// What every event about a job names: the job, its remote database and its mode.
    private static func data(of job: SyncJob, id: UUID) -> [(String, JSONValue)] {
        [("job_id", .id(id)), ("remote_database_id", .id(job.remoteDatabaseID)), ("mode", .string(job.kind.rawValue))]
    }

    /// An event about a sync job, prepared for the transaction that records what it reports (nil when the
    /// tenant is gone).
    func prepared(_ kind: EventKind, _ job: SyncJob, _ message: String, _ extra: [(String, JSONValue)] = []) async throws -> PlatformEvent? {
        guard let id = job.id else { return nil }
        return try await prepared(kind, tenantID: job.tenantID, subject: "sync-job:\(id)", message: message, data: Self.data(of: job, id: id) + extra)
    }

    /// The events telling a job's end: its outcome in words and its totals as data (and, for a rollback
    /// job that succeeded, the rolled-back job's event), to be written with the end itself.
    func endEvents(_ job: SyncJob, status: SyncJobStatus, outcome: SyncJobOutcome, error: (code: String, message: String)?) async throws
        -> [PlatformEvent]
    {
        let toLocal = outcome.tables.reduce(0) { $0 + $1.cloudToLocal }
        let toCloud = outcome.tables.reduce(0) { $0 + $1.localToCloud }
        let open = outcome.tables.reduce(0) { $0 + $1.conflictsOpen }
        var data: [(String, JSONValue)] = [("cloud_to_local", .int(toLocal)), ("local_to_cloud", .int(toCloud)), ("conflicts_open", .int(open))]
        if let error { data += [("error_code", .string(error.code)), ("error_message", .string(error.message))] }
        let what = "sync job \(job.id?.uuidString ?? "") (\(job.kind.rawValue))"
        switch status {
        case .succeeded:
            var events = [
                try await prepared(.syncJobSucceeded, job, "\(what) succeeded: \(toCloud) row(s) to the cloud, \(toLocal) to the site", data)
            ]
            if job.kind == .rollback, let target = job.rollbackOf {
                events.append(
                    try await prepared(
                        .syncJobRolledBack, tenantID: job.tenantID, subject: "sync-job:\(target)",
                        message: "sync job \(target.uuidString) was rolled back by job \(job.id?.uuidString ?? "")",
                        data: [
                            ("job_id", .id(target)), ("rollback_job_id", .id(job.id ?? target)), ("remote_database_id", .id(job.remoteDatabaseID)),
                            ("restored", .int(outcome.restored ?? 0)), ("changed_since", .int(outcome.changedSinceCount ?? 0)),
                        ]))
            }
            return events.compactMap { $0 }
        case .failed: return [try await prepared(.syncJobFailed, job, "\(what) failed: \(error?.message ?? "unknown error")", data)].compactMap { $0 }
        case .cancelled: return [try await prepared(.syncJobCancelled, job, "\(what) was cancelled", data)].compactMap { $0 }
        case .queued, .running: return []
        }
    }
}
