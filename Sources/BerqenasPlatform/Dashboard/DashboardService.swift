import FluentKit
import Foundation
import SQLKit

/// The dashboard's figures for the platform or one tenant: counts through indexes, sums over five-minute
/// buckets (`DashboardCounters`), never a scan of a whole large table.
package struct DashboardService: Sendable {
    let database: any Database
    package let counters: DashboardCounters

    /// One hour of the last 24.
    package struct Hour: Sendable, Equatable {
        package var start: Date
        package var rowsSynced: Int64
        package var jobsFailed: Int64
    }

    package struct Figures: Sendable {
        /// Platform scope only.
        package var tenantsByStatus: [TenantStatus: Int]?
        package var peersConnected = 0
        package var peersTotal = 0
        package var remotesReachable = 0
        package var remotesTotal = 0
        package var jobsQueued = 0
        package var jobsRunning = 0
        package var jobsSucceeded24h: Int64 = 0
        package var jobsFailed24h: Int64 = 0
        package var jobsCancelled24h: Int64 = 0
        package var rowsToCloud24h: Int64 = 0
        package var rowsToLocal24h: Int64 = 0
        package var openConflicts = 0
        package var apis = 0
        package var apiRequestsLastHour: Int64 = 0
        /// Oldest first, 24 entries ending with the hour under way.
        package var hourly: [Hour] = []
    }

    /// The figures of `tenant`, or of the whole platform when nil.
    package func figures(of tenant: Tenant?, now: Date = Date()) async throws -> Figures {
        let tenantID = try tenant?.requireID()
        var figures = Figures()
        if tenant == nil {
            var byStatus: [TenantStatus: Int] = [:]
            for status in TenantStatus.allCases { byStatus[status] = try await Tenant.query(on: database).filter(\.$status == status).count() }
            figures.tenantsByStatus = byStatus
        }
        func scoped<M: Model>(_ query: QueryBuilder<M>, _ field: KeyPath<M, FieldProperty<M, UUID>>) -> QueryBuilder<M> {
            tenantID.map { query.filter(field == $0) } ?? query
        }
        let peers = scoped(VPNPeer.query(on: database), \.$tenantID).filter(\.$revokedAt == nil)
        figures.peersTotal = try await peers.count()
        figures.peersConnected = try await peers.filter(\.$wasConnected == true).count()
        figures.remotesTotal = try await scoped(RemoteDatabase.query(on: database), \.$tenantID).count()
        figures.remotesReachable = try await scoped(RemoteDatabase.query(on: database), \.$tenantID).filter(\.$status == .ok).count()
        figures.jobsQueued = try await scoped(SyncJob.query(on: database), \.$tenantID).filter(\.$status == .queued).count()
        figures.jobsRunning = try await scoped(SyncJob.query(on: database), \.$tenantID).filter(\.$status == .running).count()
        figures.openConflicts = try await scoped(SyncConflict.query(on: database), \.$tenantID).filter(\.$status == .open).count()
        figures.apis = try await scoped(APIDefinition.query(on: database), \.$tenantID).count()
        try await addBuckets(to: &figures, tenantID: tenantID, now: now)
        figures.apiRequestsLastHour += counters.pendingRequests(tenantID: tenantID)
        return figures
    }

    /// The last 24 hours of buckets, summed per bucket across tenants in the database.
    private func addBuckets(to figures: inout Figures, tenantID: UUID?, now: Date) async throws {
        let hour: TimeInterval = 3600
        let currentHour = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / hour).rounded(.down) * hour)
        let first = currentHour.addingTimeInterval(-23 * hour)
        figures.hourly = (0..<24).map { Hour(start: first.addingTimeInterval(Double($0) * hour), rowsSynced: 0, jobsFailed: 0) }
        guard let sql = database as? any SQLDatabase else { return }
        let since = now.addingTimeInterval(-24 * hour)
        let tenantClause: SQLQueryString = tenantID.map { "AND tenant_id = \(bind: $0)" } ?? ""
        let rows = try await sql.raw(
            """
            SELECT bucket_start, CAST(SUM(rows_to_cloud) AS BIGINT) AS to_cloud, CAST(SUM(rows_to_local) AS BIGINT) AS to_local,
                CAST(SUM(jobs_succeeded) AS BIGINT) AS succeeded, CAST(SUM(jobs_failed) AS BIGINT) AS failed,
                CAST(SUM(jobs_cancelled) AS BIGINT) AS cancelled, CAST(SUM(api_requests) AS BIGINT) AS requests
            FROM stats_buckets WHERE bucket_start >= \(bind: StatsBucket.start(of: since)) \(tenantClause)
            GROUP BY bucket_start
            """
        ).all()
        for row in rows {
            let start = try row.decode(column: "bucket_start", as: Date.self)
            let toCloud = try row.decode(column: "to_cloud", as: Int64.self)
            let toLocal = try row.decode(column: "to_local", as: Int64.self)
            let failed = try row.decode(column: "failed", as: Int64.self)
            if start > since {
                figures.rowsToCloud24h += toCloud
                figures.rowsToLocal24h += toLocal
                figures.jobsSucceeded24h += try row.decode(column: "succeeded", as: Int64.self)
                figures.jobsFailed24h += failed
                figures.jobsCancelled24h += try row.decode(column: "cancelled", as: Int64.self)
            }
            if start >= now.addingTimeInterval(-hour) { figures.apiRequestsLastHour += try row.decode(column: "requests", as: Int64.self) }
            let index = Int((start.timeIntervalSince(first) / hour).rounded(.down))
            if figures.hourly.indices.contains(index) {
                figures.hourly[index].rowsSynced += toCloud + toLocal
                figures.hourly[index].jobsFailed += failed
            }
        }
    }
}
