import Metrics

/// The hub's own counters, through swift-metrics: a server that serves `/metrics` bootstraps Prometheus behind
/// them (`BerqenasServer`'s `HubMetrics`); elsewhere they are swift-metrics' no-op handlers and cost nothing.
package enum HubMeasures {
    /// A sync job ended: counted by outcome, with the rows it moved.
    package static func jobEnded(_ status: SyncJobStatus, toCloud: Int, toLocal: Int) {
        Counter(label: "berqenas_sync_jobs_total", dimensions: [("outcome", status.rawValue)]).increment()
        rowsSynced(toCloud: toCloud, toLocal: toLocal)
    }

    /// Rows a job or a continuous-sync pass carried, by direction.
    package static func rowsSynced(toCloud: Int, toLocal: Int) {
        if toCloud > 0 { Counter(label: "berqenas_sync_rows_total", dimensions: [("direction", "local_to_cloud")]).increment(by: toCloud) }
        if toLocal > 0 { Counter(label: "berqenas_sync_rows_total", dimensions: [("direction", "cloud_to_local")]).increment(by: toLocal) }
    }

    /// One attempt at an alert delivery: `delivered`, `retrying` (failed, tried again later) or `failed` (given up).
    package static func alertAttempt(_ outcome: String) {
        Counter(label: "berqenas_alert_deliveries_total", dimensions: [("outcome", outcome)]).increment()
    }
}
