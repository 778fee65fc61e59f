import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation
import Logging
import SQLKit

/// Runs queued sync jobs. Each job is leased (owner + expiry, renewed while it runs): with several
/// servers on one PostgreSQL system database, `FOR UPDATE SKIP LOCKED` hands each job to one worker,
/// and a job whose worker died is taken over once its lease expires and resumes from its journal.
package actor SyncWorker {
    let database: any Database
    let remotes: RemoteDatabaseService
    let tenants: TenantService
    let logger: Logger
    /// Identifies this worker's leases.
    package nonisolated let workerID = "worker-" + UUID().uuidString.prefix(8).lowercased()
    let leaseDuration: TimeInterval
    let pollInterval: Duration
    /// Told which cloud tables a job wrote, so APIs over the tenant store serve new ones.
    let apis: APIDefinitionService
    private var loop: Task<Void, Never>?
    private nonisolated let doorbell = Doorbell()
    /// Raised by stop(); a new flag for each start.
    private var stopping = StopFlag()
    /// Queues scheduled jobs whenever no job is ready.
    private var schedules: ScheduleService?
    let undoRetention: UndoRetention
    private var undoPrunedAt: Date?

    init(
        database: any Database, remotes: RemoteDatabaseService, tenants: TenantService, apis: APIDefinitionService,
        leaseDuration: TimeInterval, undoRetention: UndoRetention, pollInterval: Duration, logger: Logger
    ) {
        self.apis = apis
        self.undoRetention = undoRetention
        self.database = database
        self.remotes = remotes
        self.tenants = tenants
        self.leaseDuration = leaseDuration
        self.pollInterval = pollInterval
        self.logger = logger
    }

    private func queueScheduledJobs() async {
        do { try await schedules?.runDue() } catch { logger.warning("sync scheduler: \(String(describing: error))") }
    }

    /// Drops expired undo images, at most once per `UndoRetention.pruneEvery`, when no job is waiting.
    private func pruneUndo() async {
        if let last = undoPrunedAt, Date().timeIntervalSince(last) < UndoRetention.pruneEvery { return }
        undoPrunedAt = Date()
        do {
            let jobs = try await undoRetention.prune(on: database)
            if jobs > 0 { logger.info("dropped the undo images of \(jobs) job(s) finished over \(undoRetention.days) day(s) ago") }
        } catch {
            logger.warning("sync worker: could not drop expired undo images: \(String(describing: error))")
        }
    }

    /// Starts taking jobs (and, when given, queueing the jobs of due schedules).
    package func start(schedules: ScheduleService? = nil) {
        guard loop == nil else { return }
        self.schedules = schedules
        stopping = StopFlag()
        loop = Task { [weak self, stopping] in
            while !stopping.isRaised {
                guard let self else { return }
                if await self.runNextJob() { continue }
                await self.queueScheduledJobs()
                if await self.runNextJob() { continue }
                await self.pruneUndo()
                await self.waitForWork()
            }
        }
    }

    /// Stops taking jobs. A running job stops at its next batch and stays `running` with an expired lease,
    /// so the next server to look (this one after a restart) resumes it from its journal.
    /// Cancelled while it waits (a shutdown past its time), it cancels the running job too.
    package func stop() async {
        stopping.raise()
        doorbell.ring()
        let loop = self.loop
        await withTaskCancellationHandler {
            await loop?.value
        } onCancel: {
            loop?.cancel()
        }
        self.loop = nil
    }

    /// Wakes the loop (a job was queued here).
    package nonisolated func wake() {
        doorbell.ring()
    }

    /// Returns at a wake-up or after the poll interval (jobs queued by other servers, expired leases).
    private func waitForWork() async {
        await doorbell.wait(timeout: pollInterval)
    }

    /// Claims and runs one job; false when none was ready.
    func runNextJob() async -> Bool {
        do {
            guard let job = try await claim() else { return false }
            await run(job)
            return true
        } catch {
            logger.error("sync worker: \(String(describing: error))")
            return false
        }
    }

    /// Takes the oldest queued job, or a running one whose lease expired. The update is conditional on the
    /// state just read, so when several workers reach for one job exactly one of them gets it.
    func claim() async throws -> SyncJob? {
        let now = Date()
        let ready = SyncJob.query(on: database).group(.or) { either in
            either.filter(\.$status == .queued)
            either.group(.and) { expired in
                expired.filter(\.$status == .running).filter(\.$leaseExpiresAt < now)
            }
        }
        guard let candidate = try await ready.sort(\.$createdAt).first(), let id = candidate.id else { return nil }
        var update = SyncJob.query(on: database).filter(\.$id == id).filter(\.$status == candidate.status)
        if candidate.status == .running { update = update.filter(\.$leaseExpiresAt < now) }
        try await update
            .set(\.$status, to: .running).set(\.$leaseOwner, to: workerID)
            .set(\.$leaseExpiresAt, to: now.addingTimeInterval(leaseDuration))
            .set(\.$attempts, to: candidate.attempts + 1)
            .set(\.$startedAt, to: candidate.startedAt ?? now)
            .update()
        guard let claimed = try await SyncJob.find(id, on: database), claimed.leaseOwner == workerID,
            claimed.attempts == candidate.attempts + 1
        else { return nil }
        if candidate.status == .running {
            await remotes.events.announce(
                .syncJobTakenOver, tenant: nil, subject: "sync-job:\(id)",
                message: "worker \(workerID) took over sync job \(id.uuidString) from \(candidate.leaseOwner ?? "a stopped worker")",
                data: [("job_id", .id(id)), ("previous_worker", .string(candidate.leaseOwner ?? "")), ("worker", .string(workerID))])
        }
        await remotes.events.job(
            .syncJobStarted, claimed, "sync job \(id.uuidString) (\(claimed.kind.rawValue)) started (attempt \(claimed.attempts))",
            [("attempt", .int(claimed.attempts)), ("worker", .string(workerID))])
        return claimed
    }

    /// Runs a job while renewing its lease. The renewal has ended (its last query answered) when this
    /// returns: a server shutting down closes the system database right after.
    private func run(_ job: SyncJob) async {
        let heartbeat = Task { [database, workerID, leaseDuration] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(max(0.2, leaseDuration / 3)))
                guard !Task.isCancelled, let id = job.id else { return }
                try? await SyncJob.query(on: database).filter(\.$id == id).filter(\.$leaseOwner == workerID)
                    .set(\.$leaseExpiresAt, to: Date().addingTimeInterval(leaseDuration)).update()
            }
        }
        await runLeased(job)
        heartbeat.cancel()
        await heartbeat.value
    }

    private func runLeased(_ job: SyncJob) async {
        // The job's lines carry its id and tenant (as fields in JSON logs).
        var logger = self.logger
        logger[metadataKey: "job_id"] = "\(job.id?.uuidString ?? "")"
        logger[metadataKey: "tenant_id"] = "\(job.tenantID.uuidString)"
        var outcome = (try? StoredJSON.value(SyncJobOutcome.self, job.resultsJSON)) ?? SyncJobOutcome()
        var status = SyncJobStatus.succeeded
        var errorCode: String?
        var errorMessage: String?
        var connectionFailure: ConnectorError?
        do {
            outcome = try await execute(job)
            if let differing = outcome.unsettledDifferences {
                // A verification that found differences it did not settle is not a success.
                status = .failed
                errorCode = "sides_differ"
                errorMessage = differing
            }
        } catch let error where error as? SyncStop == .shuttingDown || (stopping.isRaised && Task.isCancelled) {
            // Stopping (or cancelled by a shutdown past its time): the job is handed back, not failed.
            try? await SyncJob.query(on: database).filter(\.$id == job.requireID()).filter(\.$leaseOwner == workerID)
                .set(\.$leaseExpiresAt, to: Date()).update()
            return
        } catch SyncStop.cancelled {
            status = .cancelled
        } catch {
            status = .failed
            (errorCode, errorMessage) = Self.codeAndMessage(error)
            if let error = error as? ConnectorError, error.code == .unreachable || error.code == .timeout { connectionFailure = error }
            logger.warning("sync job \(job.id?.uuidString ?? "") failed: \(errorMessage ?? "")")
        }
        do {
            // The end and the events telling it commit together: whoever sees the job ended finds its events,
            // and a crash in between cannot leave an end untold.
            let events: [PlatformEvent]
            do {
                events = try await remotes.events.endEvents(job, status: status, outcome: outcome, error: errorCode.map { ($0, errorMessage ?? "") })
            } catch {
                logger.warning("sync job \(job.id?.uuidString ?? ""): its end's events could not be made: \(String(describing: error))")
                events = []
            }
            let end = JobEnd(status: status, outcome: outcome, errorCode: errorCode, errorMessage: errorMessage)
            let ended: Bool
            do {
                ended = try await database.transaction { database in
                    guard try await self.recordEnd(of: job, end, on: database) else { return false }
                    try await self.remotes.events.write(events, within: database)
                    return true
                }
            } catch {
                // The events could not be written: the end still matters more than telling it.
                logger.warning("sync job \(job.id?.uuidString ?? ""): its end's events were not recorded: \(String(describing: error))")
                ended = try await recordEnd(of: job, end, on: database)
            }
            guard ended else {
                // Another worker took the job over meanwhile (this one's lease ran out): its end is that worker's to tell.
                logger.warning("sync job \(job.id?.uuidString ?? ""): its lease was lost before it ended; not recorded here")
                return
            }
            remotes.events.bell.ring()
            let (toCloud, toLocal) = (outcome.tables.reduce(0) { $0 + $1.localToCloud }, outcome.tables.reduce(0) { $0 + $1.cloudToLocal })
            logger.info("sync job \(job.id?.uuidString ?? "") \(status.rawValue): \(toCloud) row(s) to the cloud, \(toLocal) to the site")
            await remotes.counters.jobEnded(tenantID: job.tenantID, status: status, toCloud: toCloud, toLocal: toLocal)
            try await noteReachability(of: job, status: status, failure: connectionFailure)
        } catch {
            logger.error("sync job \(job.id?.uuidString ?? ""): could not record its end: \(String(describing: error))")
        }
    }

    /// How a job ended, as its row records it.
    struct JobEnd: Sendable {
        let status: SyncJobStatus
        let outcome: SyncJobOutcome
        let errorCode: String?
        let errorMessage: String?
    }

    /// Records the job's end if this worker still holds it; false when it no longer does.
    private func recordEnd(of job: SyncJob, _ end: JobEnd, on database: any Database) async throws -> Bool {
        let (status, outcome, errorCode, errorMessage) = (end.status, end.outcome, end.errorCode, end.errorMessage)
        guard let sql = database as? any SQLDatabase else { return false }
        let ended = try await sql.update(SyncJob.schema)
            .set("status", to: status.rawValue).set("results_json", to: try StoredJSON.text(outcome))
            .set("error_code", to: errorCode).set("error_message", to: errorMessage).set("finished_at", to: Date())
            .set("lease_owner", to: SQLLiteral.null).set("lease_expires_at", to: SQLLiteral.null)
            .where("id", .equal, try job.requireID()).where("lease_owner", .equal, workerID)
            .returning("id").all()
        return !ended.isEmpty
    }

    /// A job that could not reach its remote database marks it unreachable (a rule watching
    /// `remote_unreachable_for` hears it); a job that succeeded marks a failing one reachable again.
    private func noteReachability(of job: SyncJob, status: SyncJobStatus, failure: ConnectorError?) async throws {
        guard failure != nil || status == .succeeded,
            let remote = try await RemoteDatabase.find(job.remoteDatabaseID, on: database)
        else { return }
        if failure == nil, !remote.status.isFailed { return }
        try await remotes.recordReachability(of: remote, failure: failure)
    }

    static func codeAndMessage(_ error: any Error) -> (String, String) {
        switch error {
        case let error as SyncError: (error.code, error.message)
        case let stop as SyncStop: (stop.code, stop.description)
        case let error as ConnectorError: (error.code.rawValue, error.message)
        case let error as PlatformError: (error.code, error.message)
        default: ("internal", String(describing: error))
        }
    }

    /// Runs a claimed job to its end (or its first error).
    private func execute(_ job: SyncJob) async throws -> SyncJobOutcome {
        guard let remote = try await RemoteDatabase.find(job.remoteDatabaseID, on: database),
            let tenant = try await Tenant.find(job.tenantID, on: database)
        else {
            throw SyncError("remote_missing", "the remote database was deleted")
        }
        guard tenant.status != .suspended else { throw SyncError("tenant_suspended", "tenant '\(tenant.name)' is suspended") }
        let journal = try SystemDatabaseJournal(
            database: database, job: job, events: remotes.events, shuttingDown: { [stopping] in stopping.isRaised })
        let local = try await remotes.connector(for: remote)
        let (cloud, _) = try await remotes.cloudConnector(for: tenant)
        let runner = try remote.runner(local: local, cloud: cloud, journal: journal)
        do {
            var outcome = SyncJobOutcome()
            switch job.kind {
            case .rollback:
                guard let target = job.rollbackOf else { throw SyncError("rollback_target_missing", "the rollback names no job") }
                let tally = try await rollBack(target, job: job, with: runner, journal: journal)
                outcome.restored = tally.restored
                outcome.changedSinceCount = tally.leftAloneCount
                outcome.changedSince = tally.leftAlone.map {
                    .init(side: $0.side.rawValue, table: $0.table.description, key: $0.key.map(JSONForm.value))
                }
            case let .sync(mode):
                if !job.dryRun, mode != .verify || job.repair { try await remotes.storage.ensureRoom(tenant) }
                var tables = try StoredJSON.value([String].self, job.tablesJSON).map { try TableNames.parse($0) }
                // A scheduled job naming no tables syncs every table with a primary key, as found now.
                if tables.isEmpty { tables = try await remotes.keyedTables(local, of: remote) }
                let cloudSchema = remotes.cloudSchema(for: tenant)
                let pairs = tables.map { remote.pair($0, cloudSchema: cloudSchema) }
                let writes = !job.dryRun && (mode != .verify || job.repair)
                if writes { try await TableOwnership.claim(pairs, for: remote, on: database) }
                outcome.tables = try await runner.run(
                    mode, pairs: pairs, strategy: job.conflictStrategy, dryRun: job.dryRun,
                    repair: job.repair)
                if writes {
                    for failure in await apis.cloudTablesSynced(pairs.map(\.cloud), tenant: tenant) {
                        logger.warning("sync job \(job.id?.uuidString ?? ""): could not refresh \(failure)")
                    }
                }
            }
            await local.close()
            await cloud.close()
            return outcome
        } catch {
            await local.close()
            await cloud.close()
            throw error
        }
    }
}
