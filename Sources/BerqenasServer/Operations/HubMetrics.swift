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

    /// What each gauge read at a scrape means (its HELP line).
    static let gaugeHelp = [
        "berqenas_conflicts_open": "Open sync conflicts of the tenant",
        "berqenas_vpn_peers_connected": "WireGuard peers of the tenant whose last handshake is recent",
        "berqenas_sync_lag_seconds": "Seconds a continuous-sync loop of this server is behind (0: caught up at its last pass)",
        "berqenas_realtime_clients": "Realtime WebSocket clients of this server",
    ]

    /// The registry in the Prometheus text format, with this moment's figures. The system database's figures
    /// are left out when it does not answer: the scrape still shows the process's own.
    static func text(for state: BerqenasState) async -> String {
        var values: [(name: String, labels: [(String, String)], value: Double)] = []
        for tenant in (try? await state.platform.dashboard.tenantGauges()) ?? [] {
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
                let gauge =
                    previous[key]
                    ?? registry.makeGauge(
                        descriptor: MetricNameDescriptor(metricName: value.name, helpText: gaugeHelp[value.name]), labels: value.labels)
                gauge.set(value.value)
                current[key] = gauge
            }
            for (key, gauge) in previous where current[key] == nil { registry.unregisterGauge(gauge) }
            previous = current
        }
        return registry.emitToString()
    }

    /// One request to a generated API, by its tenant and name (`-` when the path named no API) and status, and
    /// how long it took (generated APIs bypass Vapor's router, whose request metrics do not see them).
    static func countAPIRequest(_ api: ServedAPIName?, status: UInt, took duration: Duration) {
        let (tenant, name) = (api?.tenant ?? "-", api?.api ?? "-")
        Counter(label: "berqenas_api_requests_total", dimensions: [("tenant", tenant), ("api", name), ("status", String(status))]).increment()
        let (seconds, attoseconds) = duration.components
        Metrics.Timer(label: "berqenas_api_request_duration_seconds", dimensions: [("tenant", tenant), ("api", name)])
            .recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
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
