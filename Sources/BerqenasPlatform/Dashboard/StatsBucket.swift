import FluentKit
import Foundation

/// What one tenant did in one five-minute interval.
package final class StatsBucket: Model, @unchecked Sendable {
    package static let schema = "stats_buckets"
    /// Seconds per bucket.
    package static let length: TimeInterval = 300

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "bucket_start") package var start: Date
    @Field(key: "rows_to_cloud") package var rowsToCloud: Int64
    @Field(key: "rows_to_local") package var rowsToLocal: Int64
    @Field(key: "jobs_succeeded") package var jobsSucceeded: Int64
    @Field(key: "jobs_failed") package var jobsFailed: Int64
    @Field(key: "jobs_cancelled") package var jobsCancelled: Int64
    @Field(key: "api_requests") package var apiRequests: Int64

    package init() {}

    /// The start of the bucket `date` falls in.
    static func start(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / length).rounded(.down) * length)
    }
}
