import BerqenasPlatform
import Metrics
import Prometheus
import Synchronization
import Vapor

/// `/metrics`: the process's Prometheus registry, with swift-metrics bootstrapped on it so that Vapor's request
/// counters and latency histograms (by route template and status) and the platform's `HubMeasures` land there,
/// plus figures read at the moment of the scrape (open conflicts, connected peers, WebSocket clients, sync lag).
enum HubMetrics {
    /// The process's registry. swift-metrics takes one backend per process: it is bootstrapped the first time a
    /// server with metrics enabled starts.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000].map { Duration.milliseconds($0) }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The gauges set at the last scrape, by name and labels: a series whose subject is gone (a deleted tenant,
    /// a loop that stopped) is taken out instead of showing its last value for ever.
    private static let scraped = Mutex<[String: Prometheus.Gauge]>([:])

    /// Makes sure the registry exists (and swift-metrics uses it) before the first request is counted.
    static func bootstrap() {
        _ = registry
    }

    /// The registry in the Prometheus text format, with this moment's figures.
    static func text(for state: BerqenasState) async throws -> String {
        var values: [(name: String, labels: [(String, String)], value: Double)] = []
        for tenant in try await state.platform.dashboard.tenantGauges() {
            values.append(("berqenas_conflicts_open", [("tenant", tenant.tenant)], Double(tenant.openConflicts)))
            values.append(("berqenas_vpn_peers_connected", [("tenant", tenant.tenant)], Double(tenant.peersConnected)))
        }
        for lag in await state.platform.continuousSync.lags() {
            values.append(("berqenas_sync_lag_seconds", [("tenant", lag.tenant), ("remote_database", lag.remoteDatabase)], lag.seconds))
        }
        values.append(("berqenas_realtime_clients", [], Double(state.realtime.count)))
        scraped.withLock { previous in
            var current: [String: Prometheus.Gauge] = [:]
            for value in values {
                let key = value.name + "\u{0}" + value.labels.map { $0.0 + "=" + $0.1 }.joined(separator: "\u{0}")
                let gauge = previous[key] ?? registry.makeGauge(name: value.name, labels: value.labels)
                gauge.set(value.value)
                current[key] = gauge
            }
            for (key, gauge) in previous where current[key] == nil { registry.unregisterGauge(gauge) }
            previous = current
        }
        return registry.emitToString()
    }

    /// One request to a generated API, by its tenant and name (`-` when the path named no API) and status.
    static func countAPIRequest(_ api: ServedAPIName?, status: UInt) {
        Counter(
            label: "berqenas_api_requests_total",
            dimensions: [("tenant", api?.tenant ?? "-"), ("api", api?.api ?? "-"), ("status", String(status))]
        ).increment()
    }
}

/// The tenant and name of the generated API a request reached (set once the API is mounted, so only real
/// names become metric labels, never whatever a path says).
struct ServedAPIName: Sendable {
    let tenant: String
    let api: String

    fileprivate struct Key: StorageKey { typealias Value = ServedAPIName }
}

extension Request {
    var servedAPI: ServedAPIName? {
        get { storage[ServedAPIName.Key.self] }
        set { storage[ServedAPIName.Key.self] = newValue }
    }
}
