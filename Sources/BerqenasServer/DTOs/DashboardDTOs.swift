import BerqenasPlatform
import Foundation
import Vapor

/// The figures as the API shows them.
struct DashboardStatsResponse: Content {
    struct Share: Content {
        let up: Int
        let total: Int
    }

    struct Jobs: Content {
        let queued: Int
        let running: Int
        let succeeded: Int64
        let failed: Int64
        let cancelled: Int64
    }

    struct Rows: Content {
        let localToCloud: Int64
        let cloudToLocal: Int64

        enum CodingKeys: String, CodingKey { case localToCloud = "local_to_cloud", cloudToLocal = "cloud_to_local" }
    }

    struct Hour: Content {
        let hour: Date
        let rowsSynced: Int64
        let jobsFailed: Int64

        enum CodingKeys: String, CodingKey { case hour, rowsSynced = "rows_synced", jobsFailed = "jobs_failed" }
    }

    /// Null: the platform's figures.
    @ExplicitNull var tenant: String?
    /// Tenants by status (platform figures only).
    @ExplicitNull var tenants: [String: Int]?
    /// Peers connected (`up`) of those not revoked.
    let peers: Share
    /// Remote databases whose last connection test passed (`up`).
    let remoteDatabases: Share
    /// Queued and running now; ended in the last 24 hours.
    let syncJobs: Jobs
    /// Rows moved by jobs that ended in the last 24 hours.
    let rowsSynced: Rows
    let openConflicts: Int
    let apis: Int
    let apiRequestsLastHour: Int64
    /// The last 24 hours, oldest first, the hour under way last.
    let hourly: [Hour]

    enum CodingKeys: String, CodingKey {
        case tenant, tenants, peers, apis, hourly
        case remoteDatabases = "remote_databases", syncJobs = "sync_jobs_24h", rowsSynced = "rows_synced_24h"
        case openConflicts = "open_conflicts", apiRequestsLastHour = "api_requests_last_hour"
    }

    init(_ figures: DashboardService.Figures, tenant: String?) {
        self.tenant = tenant
        tenants = figures.tenantsByStatus.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) }
        peers = Share(up: figures.peersConnected, total: figures.peersTotal)
        remoteDatabases = Share(up: figures.remotesReachable, total: figures.remotesTotal)
        syncJobs = Jobs(
            queued: figures.jobsQueued, running: figures.jobsRunning, succeeded: figures.jobsSucceeded24h, failed: figures.jobsFailed24h,
            cancelled: figures.jobsCancelled24h)
        rowsSynced = Rows(localToCloud: figures.rowsToCloud24h, cloudToLocal: figures.rowsToLocal24h)
        openConflicts = figures.openConflicts
        apis = figures.apis
        apiRequestsLastHour = figures.apiRequestsLastHour
        hourly = figures.hourly.map { Hour(hour: $0.start, rowsSynced: $0.rowsSynced, jobsFailed: $0.jobsFailed) }
    }

    static let schema = WireSchema.of(Self.self, .response)
}
