import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation
import Logging
import SQLKit

/// Keeps remote databases set to continuous sync in step, one loop per remote database. A loop holds a
/// lease on its remote (so with several servers one of them runs it), carries changes as they come, and
/// sleeps until the local database's capture triggers NOTIFY (PostgreSQL) or the remote's poll interval
/// passes (other engines, and the cloud side's changes).
package actor ContinuousSync {
    let database: any Database
    let remotes: RemoteDatabaseService
    let tenants: TenantService
    let leaseDuration: TimeInterval
    let scanInterval: Duration
    let logger: Logger
    nonisolated let owner = "continuous-" + UUID().uuidString.prefix(8).lowercased()
    private var loops: [UUID: Task<Void, Never>] = [:]
    private var bells: [UUID: Doorbell] = [:]
    private var scanner: Task<Void, Never>?
    private let scannerBell = Doorbell()
    private let stopping = StopFlag()
    /// Waits of a loop's whole poll interval that its timer ended (no notification came): how a test tells a
    /// loop woken by its site's NOTIFY from one that polled.
    package private(set) var pollIntervalsElapsed = 0
    /// Each running loop's names, whether its last pass found nothing to carry, and when its last successful
    /// pass started (what existed then has been carried).
    private var lagging: [UUID: (tenant: String, remote: String, caughtUp: Bool, carriedUpTo: ContinuousClock.Instant)] = [:]

    /// How far behind one running loop is: 0 when its last pass found nothing to carry, else the seconds since
    /// its last successful pass started (a loop that keeps failing falls further behind).
    package struct Lag: Sendable {
        package let tenant: String
        package let remoteDatabase: String
        package let seconds: Double
    }

    init(
        database: any Database, remotes: RemoteDatabaseService, tenants: TenantService, leaseDuration: TimeInterval,
        scanInterval: Duration, logger: Logger
    ) {
        self.database = database
        self.remotes = remotes
        self.tenants = tenants
        self.leaseDuration = leaseDuration
        self.scanInterval = scanInterval
        self.logger = logger
    }

    /// Starts looking for remote databases to keep in step.
    package func start() {
        guard scanner == nil else { return }
        let bell = scannerBell
        scanner = Task { [weak self, scanInterval, stopping] in
            while !stopping.isRaised {
                await self?.scan()
                await bell.wait(timeout: scanInterval)
            }
        }
    }

    /// Looks for remote databases to keep in step now (one was just switched to continuous), not at the next scan.
    package nonisolated func wake() {
        scannerBell.ring()
    }

    /// Stops every loop and gives their leases back.
    package func stop() async {
        stopping.raise()
        scannerBell.ring()
        for bell in bells.values { bell.ring() }
        await scanner?.value
        scanner = nil
        for task in loops.values { await task.value }
    }

    /// Starts a loop for each continuous remote database this server can lease.
    func scan() async {
        do {
            let candidates = try await Tenant.active(
                try await RemoteDatabase.query(on: database).filter(\.$continuous == true).all(),
                on: database)
            // A loop whose remote was switched off (maybe through another server) hears it now.
            let wanted = Set(candidates.compactMap(\.id))
            for (id, bell) in bells where !wanted.contains(id) { bell.ring() }
            for remote in candidates {
                guard !stopping.isRaised, let id = remote.id, loops[id] == nil, try await lease(id) else { continue }
                let bell = Doorbell()
                bells[id] = bell
                loops[id] = Task { [weak self] in await self?.run(id, bell: bell) }
            }
        } catch {
            logger.warning("continuous sync: \(String(describing: error))")
        }
    }

    /// Takes or renews the lease on a remote database; false when another server holds it.
    private func lease(_ id: UUID) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        let now = Date()
        return try await sql.raw(
            """
            UPDATE remote_databases SET continuous_owner = \(bind: owner),
                continuous_lease_until = \(bind: now.addingTimeInterval(leaseDuration))
            WHERE id = \(bind: id) AND continuous
              AND (continuous_owner IS NULL OR continuous_owner = \(bind: owner) OR continuous_lease_until < \(bind: now))
            RETURNING id
            """
        ).first() != nil
    }

    private func release(_ id: UUID) async {
        try? await RemoteDatabase.query(on: database).filter(\.$id == id).filter(\.$continuousOwner == owner)
            .set(\.$continuousOwner, to: nil).set(\.$continuousLeaseUntil, to: nil).update()
    }

    private func finished(_ id: UUID) {
        loops[id] = nil
        bells[id] = nil
        lagging[id] = nil
    }

    /// The lag of every loop this server runs.
    package func lags() -> [Lag] {
        let now = ContinuousClock.now
        return lagging.values.map { loop in
            let behind = loop.caughtUp ? .zero : now - loop.carriedUpTo
            return Lag(
                tenant: loop.tenant, remoteDatabase: loop.remote,
                seconds: Double(behind.components.seconds) + Double(behind.components.attoseconds) / 1e18)
        }
    }

    /// A pass that carried `carried` rows (nil: it failed) and started at `started`.
    private func passed(_ id: UUID, carried: Int?, started: ContinuousClock.Instant) {
        guard let carried else {
            lagging[id]?.caughtUp = false
            return
        }
        lagging[id]?.caughtUp = carried == 0
        lagging[id]?.carriedUpTo = started
    }

    /// One remote database's loop: runs until the remote stops being continuous, the lease is lost, or stop().
    private func run(_ id: UUID, bell: Doorbell) async {
        defer { finished(id) }
        guard let remote = try? await RemoteDatabase.find(id, on: database),
            let tenant = try? await Tenant.find(remote.tenantID, on: database), tenant.status != .suspended,
            let local = try? await remotes.connector(for: remote),
            let (cloud, cloudSchema) = try? await remotes.cloudConnector(for: tenant)
        else {
            await release(id)
            return
        }
        // PostgreSQL: writers NOTIFY while this loop waits; elsewhere it polls. The signal is opened while the
        // first read runs, which does not wait for it.
        // Behind until a first pass finds nothing left to carry.
        lagging[id] = (tenant.name, remote.name, false, .now)
        let wake = LoopWakeSignal(local: local, bell: bell, logger: logger, remoteName: remote.name)
        let descriptions = TableDescriptions()
        var renewed = Date()
        var settings: LoopSettings?
        while !stopping.isRaised {
            do {
                if Date().timeIntervalSince(renewed) > leaseDuration / 3 {
                    guard try await lease(id) else { break }
                    renewed = Date()
                }
                // A loop kept busy by a stream of changes reads them again too, within ten lifetimes.
                if settings.map({ $0.read.duration(to: .now) > Self.settingsLifetime * 10 }) ?? true {
                    guard let current = try await RemoteDatabase.find(id, on: database), current.continuous,
                        try await Tenant.isActive(current.tenantID, on: database)
                    else { break }
                    try await remotes.storage.ensureRoom(tenant)
                    settings = try await LoopSettings(
                        current, cloudSchema: cloudSchema, remotes: remotes, database: database,
                        stopping: stopping)
                }
                guard let loop = settings else { break }
                // Waits end in time to renew the lease, however long the poll interval.
                let poll = min(Duration.milliseconds(max(100, loop.remote.pollIntervalMilliseconds)), .seconds(leaseDuration / 3))
                let started = ContinuousClock.now
                let carried = try await tick(loop, local: local, cloud: cloud, descriptions: descriptions)
                passed(id, carried: carried, started: started)
                if carried > 0 {
                    // Busy: read again at once, without a notification per commit meanwhile.
                    await wake.busy()
                } else if loop.read.duration(to: .now) > Self.settingsLifetime {
                    // Idle on settings read a while ago: they are read again (and the remote once more) before
                    // waiting. A change that woke the loop was carried first, on the settings it had: reading
                    // them (a quota check among them) is not on its path.
                    settings = nil
                } else {
                    let pause = await wake.idle(poll: poll)
                    if pause > .zero, await !bell.wait(timeout: pause), pause == poll { pollIntervalsElapsed += 1 }
                }
            } catch {
                passed(id, carried: nil, started: .now)
                descriptions.clear()
                settings = nil
                logger.warning("continuous sync of \(remote.name): \(RemoteDatabaseService.describe(error))")
                // Not the poll interval: without an armed signal no change would ring, and it may be an hour.
                await wake.busy()
                await bell.wait(timeout: .seconds(1))
            }
        }
        // Closing the signal's connection ends its listener (no task is cancelled mid-connection).
        await wake.close()
        await local.close()
        await cloud.close()
        await release(id)
    }

    /// How long a loop trusts what it read of its remote (settings, tracked tables, cursors) before reading it
    /// again, once idle: switching continuous sync off or a full sync adding a table shows at the loop's next
    /// idle moment after it (at most a third of the lease away).
    static let settingsLifetime: Duration = .seconds(1)

    /// What a loop reads of its remote database, kept for `settingsLifetime`.
    struct LoopSettings {
        let remote: RemoteDatabase
        let pairs: [SyncTablePair]
        let journal: SystemDatabaseJournal
        let read = ContinuousClock.now

        init(
            _ remote: RemoteDatabase, cloudSchema: String, remotes: RemoteDatabaseService, database: any Database,
            stopping: StopFlag
        ) async throws {
            self.remote = remote
            pairs = try await remotes.trackedTables(of: remote).map { remote.pair($0, cloudSchema: cloudSchema) }
            journal = try SystemDatabaseJournal(database: database, continuous: remote, events: remotes.events) { stopping.isRaised }
        }
    }

    /// Carries what changed since the last tick, for every table a full sync has started tracking; returns
    /// how many rows it wrote or found in conflict.
    private func tick(
        _ loop: LoopSettings, local: any DatabaseConnector, cloud: any DatabaseConnector,
        descriptions: TableDescriptions
    ) async throws -> Int {
        guard !loop.pairs.isEmpty else { return 0 }
        let remote = loop.remote
        var runner = try remote.runner(local: local, cloud: cloud, journal: loop.journal)
        runner.descriptions = descriptions
        let results = try await runner.run(remote.continuousMode, pairs: loop.pairs, strategy: remote.continuousStrategy, dryRun: false)
        HubMeasures.rowsSynced(toCloud: results.reduce(0) { $0 + $1.localToCloud }, toLocal: results.reduce(0) { $0 + $1.cloudToLocal })
        return results.reduce(0) { $0 + $1.localToCloud + $1.cloudToLocal + $1.conflictsDetected }
    }
}
