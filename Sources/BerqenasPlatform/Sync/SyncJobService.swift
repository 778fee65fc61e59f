import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation
import SQLKit

/// What a sync request asks for.
package struct SyncRequest: Sendable {
    package var mode: String
    package var tables: [String]?
    package var conflictStrategy: String?
    package var dryRun: Bool
    /// Verify only: carry the differences found (`cloud_wins`, `local_wins`) or park them (`manual`).
    package var repair: Bool

    /// Creates a request.
    package init(mode: String, tables: [String]? = nil, conflictStrategy: String? = nil, dryRun: Bool = false, repair: Bool = false) {
        self.mode = mode
        self.tables = tables
        self.conflictStrategy = conflictStrategy
        self.dryRun = dryRun
        self.repair = repair
    }
}

/// Sync jobs: queueing (one active job per remote database), listing, cancelling, rolling back.
package struct SyncJobService: Sendable {
    let database: any Database
    let remotes: RemoteDatabaseService
    /// Wakes the local worker when a job is queued.
    let wake: @Sendable () -> Void
    let undoRetention: UndoRetention

    /// Queues a job. The tables are checked against the remote now (so an unknown table or an unreachable
    /// remote is a 4xx, not a failed job), and the cloud tables are claimed for this remote database.
    package func enqueue(_ request: SyncRequest, remote: RemoteDatabase, tenant: Tenant, caller: Caller) async throws -> SyncJob {
        let mode = try RemoteDatabaseRules.mode(request.mode)
        let strategy = try RemoteDatabaseRules.strategy(request.conflictStrategy ?? ConflictStrategy.latestWins.rawValue)
        try RemoteDatabaseRules.checkRepair(request.repair, mode: mode, strategy: request.conflictStrategy.map { _ in strategy })
        let pairs = try await tablePairs(request.tables, remote: remote, tenant: tenant)
        let writes = !request.dryRun && (mode != .verify || request.repair)
        if writes { try await TableOwnership.claim(pairs, for: remote, on: database) }
        return try await insertJob(
            remote: remote, kind: .sync(mode), tables: pairs.map(\.local.description),
            strategy: strategy, dryRun: request.dryRun, repair: request.repair, rollbackOf: nil,
            caller: caller)
    }

    /// The job that undoes `job` on the rows nobody changed since.
    package func rollback(_ job: SyncJob, remote: RemoteDatabase, caller: Caller) async throws -> SyncJob {
        guard job.status.isFinished else {
            throw PlatformError.conflict("job_not_finished", "job \(job.id?.uuidString ?? "") is \(job.status.rawValue); roll back a finished job")
        }
        guard !job.dryRun else { throw PlatformError.conflict("dry_run_job", "a dry run changed nothing: there is nothing to roll back") }
        let outcome = try StoredJSON.value(SyncJobOutcome.self, job.resultsJSON)
        guard outcome.undoComplete else {
            throw PlatformError.conflict("undo_incomplete", "job ran on a hub that kept undo images of 100,000 rows at most, and changed more")
        }
        guard !undoRetention.hasExpired(job) else {
            throw PlatformError.conflict(
                "undo_expired",
                "job finished more than \(undoRetention.days) day(s) ago; its undo images were dropped "
                    + "(BERQENAS_UNDO_RETENTION_DAYS)")
        }
        // One rollback per job: a second one would find every row as the first left it, so judge each as
        // changed since. A rollback that failed or was cancelled is taken up where it stopped.
        let earlier = try await SyncJob.query(on: database).filter(\.$rollbackOf == job.requireID()).sort(\.$createdAt, .descending).all()
        if let done = earlier.first(where: { [.queued, .running, .succeeded].contains($0.status) }) {
            throw PlatformError(
                code: "already_rolled_back", status: 409,
                message: "job \(try job.requireID()) is rolled back by job \(try done.requireID()) (\(done.status.rawValue))",
                details: ["job_id": try done.requireID().uuidString])
        }
        return try await insertJob(
            remote: remote, kind: .rollback, tables: [], strategy: job.conflictStrategy,
            dryRun: false, repair: false, rollbackOf: try job.requireID(), caller: caller,
            checkpoint: earlier.first?.checkpointJSON)
    }

    /// Queues a scheduled job without contacting the remote (its tables are checked when it runs).
    func enqueueScheduled(_ schedule: SyncSchedule, remote: RemoteDatabase) async throws -> SyncJob {
        let tables = try StoredJSON.value([String].self, schedule.tablesJSON)
        return try await insertJob(
            remote: remote, kind: .sync(schedule.mode), tables: tables, strategy: schedule.conflictStrategy,
            dryRun: false, repair: false, rollbackOf: nil, caller: nil)
    }

    private func insertJob(
        remote: RemoteDatabase, kind: SyncJobKind, tables: [String], strategy: ConflictStrategy, dryRun: Bool, repair: Bool,
        rollbackOf: UUID?, caller: Caller?, checkpoint: String? = nil
    ) async throws -> SyncJob {
        let job = SyncJob()
        job.id = UUID()
        job.tenantID = remote.tenantID
        job.remoteDatabaseID = try remote.requireID()
        job.kind = kind
        job.tablesJSON = try StoredJSON.text(tables)
        job.conflictStrategy = strategy
        job.dryRun = dryRun
        job.repair = repair
        job.status = .queued
        job.progressJSON = try StoredJSON.text(SyncProgress(tablesTotal: tables.count))
        job.resultsJSON = try StoredJSON.text(SyncJobOutcome())
        job.attempts = 0
        job.cancelRequested = false
        job.rollbackOf = rollbackOf
        job.checkpointJSON = checkpoint
        job.requestedBy = caller?.username ?? "schedule"
        do {
            try await job.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            let active = try await SyncJob.query(on: database).filter(\.$remoteDatabaseID == remote.requireID())
                .filter(\.$status ~~ [.queued, .running]).first()
            throw PlatformError(
                code: "sync_in_progress", status: 409,
                message: "remote database '\(remote.name)' already has a \(active?.status.rawValue ?? "queued") job; "
                    + "wait for it or cancel it",
                details: ["job_id": active?.id?.uuidString ?? ""])
        }
        wake()
        await remotes.events.job(
            .syncJobQueued, job, "sync job \(job.id?.uuidString ?? "") (\(kind.rawValue)) was queued by \(job.requestedBy ?? "")",
            [
                ("requested_by", .string(job.requestedBy ?? "")), ("dry_run", .bool(dryRun)),
            ])
        return job
    }

    /// The local and cloud tables a request names (every table with a primary key when it names none).
    func tablePairs(_ names: [String]?, remote: RemoteDatabase, tenant: Tenant) async throws -> [SyncTablePair] {
        let connector = try await remotes.connector(for: remote)
        let locals = try await closing(connector) { try await localTables(names, of: remote, through: connector) }
        let cloudSchema = remotes.cloudSchema(for: tenant)
        return locals.map { remote.pair($0, cloudSchema: cloudSchema) }
    }

    /// The remote's tables `names` lists, checked to exist (every table with a primary key when it names none).
    private func localTables(_ names: [String]?, of remote: RemoteDatabase, through connector: any DatabaseConnector) async throws -> [TableRef] {
        let available: [TableRef]
        do {
            available = try await connector.listTables(schema: remote.schemaName)
        } catch let error as ConnectorError {
            throw PlatformError(code: error.code.rawValue, status: 422, message: "remote database '\(remote.name)': \(error.message)")
        }
        var locals: [TableRef] = []
        if let names, !names.isEmpty {
            for name in names {
                let ref = try TableNames.parse(name, defaultSchema: remote.schemaName ?? "public")
                guard available.contains(ref) else {
                    throw PlatformError.validation(field: "tables", "'\(name)' is not a table of remote database '\(remote.name)'")
                }
                locals.append(ref)
            }
        } else {
            locals = try await remotes.keyedTables(connector, of: remote)
        }
        return locals
    }

    /// A page of a tenant's jobs, newest first.
    package func list(tenant: Tenant, remoteID: UUID?, status: String?, limit: Int, offset: Int) async throws -> (items: [SyncJob], total: Int) {
        var query = SyncJob.query(on: database).filter(\.$tenantID == (try tenant.requireID()))
        if let remoteID { query = query.filter(\.$remoteDatabaseID == remoteID) }
        if let status {
            guard let wanted = SyncJobStatus(rawValue: status) else {
                throw PlatformError.validation(field: "status", "must be \(SyncJobStatus.listed)")
            }
            query = query.filter(\.$status == wanted)
        }
        let total = try await query.count()
        let items = try await query.sort(\.$createdAt, .descending).range(offset..<(offset + limit)).all()
        return (items, total)
    }

    /// One job of a tenant.
    package func find(_ id: UUID, tenant: Tenant) async throws -> SyncJob {
        guard let job = try await SyncJob.find(id, on: database), job.tenantID == tenant.id else {
            throw PlatformError.notFound("sync job", id.uuidString)
        }
        return job
    }

    /// Cancels a queued job at once, a running one at its next batch; a finished job answers 409.
    package func cancel(_ job: SyncJob) async throws -> SyncJob {
        switch job.status {
        case .queued:
            // Only the request that moves it from queued tells it (a worker may take it first), with its event
            // in the same transaction.
            let events = (try? await remotes.events.endEvents(job, status: .cancelled, outcome: SyncJobOutcome(), error: nil)) ?? []
            let id = try job.requireID()
            let cancelledHere = try await database.transaction { database -> Bool in
                guard let sql = database as? any SQLDatabase else { return false }
                let moved = try await sql.update(SyncJob.schema).set("status", to: SyncJobStatus.cancelled.rawValue)
                    .set("finished_at", to: Date()).set("cancel_requested", to: true)
                    .where("id", .equal, id).where("status", .equal, SyncJobStatus.queued.rawValue).returning("id").all()
                guard !moved.isEmpty else { return false }
                try await self.remotes.events.write(events, within: database)
                return true
            }
            if cancelledHere {
                remotes.events.bell.ring()
                await remotes.counters.jobEnded(tenantID: job.tenantID, status: .cancelled, toCloud: 0, toLocal: 0)
            } else {
                // A worker took it meanwhile: it stops at its next batch.
                try await SyncJob.query(on: database).filter(\.$id == id).filter(\.$status == .running).set(\.$cancelRequested, to: true).update()
            }
        case .running:
            try await SyncJob.query(on: database).filter(\.$id == job.requireID()).set(\.$cancelRequested, to: true).update()
        case .succeeded, .failed, .cancelled:
            throw PlatformError.conflict("job_finished", "the job already \(job.status.rawValue)")
        }
        return try await SyncJob.find(job.requireID(), on: database) ?? job
    }
}
