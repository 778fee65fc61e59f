import FluentKit
import Foundation
import Logging
import SQLKit
import Synchronization

/// Keeps the dashboard's counts as things happen: each finished job adds to its tenant's current bucket at
/// once; generated-API requests are counted in memory and added every 10 s (and at shutdown), so the request
/// path never waits for the system database.
package final class DashboardCounters: Sendable {
    let database: any Database
    private let requests = Mutex<[UUID: Int64]>([:])
    private let loop = PeriodicLoop()
    private let logger = Logger(label: "berqenas.dashboard")

    init(database: any Database) {
        self.database = database
    }

    /// What one bucket row adds.
    struct Increment: Sendable {
        var rowsToCloud: Int64 = 0
        var rowsToLocal: Int64 = 0
        var jobsSucceeded: Int64 = 0
        var jobsFailed: Int64 = 0
        var jobsCancelled: Int64 = 0
        var apiRequests: Int64 = 0
    }

    package func start() {
        loop.start(interval: .seconds(10)) { [self] in await flush() }
    }

    package func stop() async {
        await loop.stop()
        await flush()
    }

    /// One request to one of the tenant's generated APIs.
    package func countAPIRequest(tenantID: UUID) {
        requests.withLock { $0[tenantID, default: 0] += 1 }
    }

    /// Requests counted here and not yet written (the figures add them, so a single server's are current).
    func pendingRequests(tenantID: UUID?) -> Int64 {
        requests.withLock { counted in tenantID.map { counted[$0] ?? 0 } ?? counted.values.reduce(0, +) }
    }

    /// A job of `tenantID` ended with `status`, having moved these rows.
    func jobEnded(tenantID: UUID, status: SyncJobStatus, toCloud: Int, toLocal: Int, at date: Date = Date()) async {
        HubMeasures.jobEnded(status, toCloud: toCloud, toLocal: toLocal)
        var increment = Increment(rowsToCloud: Int64(toCloud), rowsToLocal: Int64(toLocal))
        switch status {
        case .succeeded: increment.jobsSucceeded = 1
        case .failed: increment.jobsFailed = 1
        case .cancelled: increment.jobsCancelled = 1
        case .queued, .running: return
        }
        do {
            try await add(increment, tenantID: tenantID, at: date)
        } catch {
            logger.warning("dashboard: a job's counts were not kept: \(String(describing: error))")
        }
    }

    /// Adds the requests counted since the last flush (those that cannot be written are kept for the next).
    package func flush() async {
        let counted = requests.withLock { counted in
            defer { counted = [:] }
            return counted
        }
        let now = Date()
        for (tenantID, count) in counted {
            do {
                try await add(Increment(apiRequests: count), tenantID: tenantID, at: now)
            } catch {
                if (try? await Tenant.find(tenantID, on: database)) != nil {
                    requests.withLock { $0[tenantID, default: 0] += count }
                }
                logger.warning("dashboard: API request counts not written yet: \(String(describing: error))")
            }
        }
    }

    /// Adds `increment` to the tenant's bucket of `date` (one statement: concurrent servers add, never overwrite).
    func add(_ increment: Increment, tenantID: UUID, at date: Date) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw(
            """
            INSERT INTO stats_buckets (id, tenant_id, bucket_start, rows_to_cloud, rows_to_local, jobs_succeeded, jobs_failed,
                jobs_cancelled, api_requests)
            VALUES (\(bind: UUID()), \(bind: tenantID), \(bind: StatsBucket.start(of: date)), \(bind: increment.rowsToCloud),
                \(bind: increment.rowsToLocal), \(bind: increment.jobsSucceeded), \(bind: increment.jobsFailed),
                \(bind: increment.jobsCancelled), \(bind: increment.apiRequests))
            ON CONFLICT (tenant_id, bucket_start) DO UPDATE SET
                rows_to_cloud = stats_buckets.rows_to_cloud + excluded.rows_to_cloud,
                rows_to_local = stats_buckets.rows_to_local + excluded.rows_to_local,
                jobs_succeeded = stats_buckets.jobs_succeeded + excluded.jobs_succeeded,
                jobs_failed = stats_buckets.jobs_failed + excluded.jobs_failed,
                jobs_cancelled = stats_buckets.jobs_cancelled + excluded.jobs_cancelled,
                api_requests = stats_buckets.api_requests + excluded.api_requests
            """
        ).run()
    }
}
