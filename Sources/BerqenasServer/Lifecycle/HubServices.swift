import BerqenasPlatform
import Logging
import ServiceLifecycle
import UnixSignals
import Vapor

/// The hub's long-running parts as ServiceLifecycle services. A `ServiceGroup` starts them in this order and
/// shuts them down in reverse, each awaited before the next: the HTTP server stops taking requests first, then
/// the VPN reconciler, continuous sync and the sync worker finish what they hold (their connections closed),
/// then the generated APIs' pools close. The caller shuts the application (the system database) down after.
enum HubServices {
    static func background(_ state: BerqenasState) throws -> [any Service] {
        let platform = state.platform
        var services: [BackgroundLoop] = [
            BackgroundLoop(name: "event-feed", start: { await platform.eventFeed.start() }, stop: { await platform.eventFeed.stop() }),
            BackgroundLoop(
                name: "connected-users", role: .api, start: { platform.connectedUsers.start() }, stop: { await platform.connectedUsers.stop() }),
        ]
        if let url = platform.configuration.databaseURL {
            // Other servers' events, at once (this server's own ring the feed's bell directly).
            let bell = platform.events.bell
            let notifications = try SystemNotifications(url: url, channel: EventLog.channel, logger: Logger(label: "berqenas.events")) {
                bell.ring()
            }
            services.append(BackgroundLoop(name: "event-notifications", start: { notifications.start() }, stop: { await notifications.stop() }))
            // VPN changes made through other servers wake this server's reconciler at once (a gateway's).
            let reconciler = platform.vpn.reconciler
            let vpnChanges = try SystemNotifications(url: url, channel: VPNReconciler.channel, logger: Logger(label: "berqenas.vpn")) {
                reconciler.changedElsewhere()
            }
            services.append(
                BackgroundLoop(name: "vpn-notifications", role: .gateway, start: { vpnChanges.start() }, stop: { await vpnChanges.stop() }))
        }
        services += [
            BackgroundLoop(
                name: "dashboard-counters", start: { platform.dashboard.counters.start() },
                stop: { await platform.dashboard.counters.stop() }),
            BackgroundLoop(name: "api-pools", role: .api, start: {}, stop: { await platform.apis.registry.closeAll() }),
            BackgroundLoop(
                name: "sync-worker", role: .worker, start: { await platform.worker.start(schedules: platform.schedules) },
                stop: { await platform.worker.stop() }),
            BackgroundLoop(
                name: "continuous-sync", role: .worker, start: { await platform.continuousSync.start() },
                stop: { await platform.continuousSync.stop() }),
            BackgroundLoop(
                name: "alert-monitor", role: .worker,
                start: {
                    platform.alerts.monitor.start()
                    _ = platform.eventFeed.add { event, _ in
                        if AlertMonitor.concerns(event.kind) { platform.alerts.monitor.wake() }
                    }
                }, stop: { await platform.alerts.monitor.stop() }),
            BackgroundLoop(
                name: "alert-dispatcher", role: .worker, start: { platform.alerts.dispatcher.start() },
                stop: { await platform.alerts.dispatcher.stop() }),
            BackgroundLoop(
                name: "event-retention", role: .worker, start: { platform.eventRetention.start() }, stop: { await platform.eventRetention.stop() }),
            BackgroundLoop(
                name: "vpn-reconciler", role: .gateway, start: { await platform.vpn.reconciler.start() },
                stop: { await platform.vpn.reconciler.stop() }),
        ]
        // This server's roles' loops only (`/ready` expects these).
        let roles = platform.configuration.roles
        services = services.filter { loop in loop.role.map(roles.contains) ?? true }
        state.loops.expect(services.map(\.name))
        return services.map { loop in
            var reporting = loop
            reporting.reportsTo = state.loops
            return reporting
        }
    }

    /// How long a server's graceful shutdown may take before its loops are cancelled (a running job is then
    /// handed back): under the 30 s a container is given after SIGTERM. No limit on what follows: the service
    /// group would end the process with a crash, and the container's own kill comes soon enough.
    static let gracefulShutdownLimit = Duration.seconds(20)

    /// A group of `services` whose graceful shutdown (by `signals`, or by the caller) runs in reverse order;
    /// with `bounded`, cancelled past `gracefulShutdownLimit`.
    static func group(_ services: [any Service], signals: [UnixSignal], bounded: Bool = false, logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                .init(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            logger: logger
        )
        configuration.gracefulShutdownSignals = signals
        if bounded {
            configuration.maximumGracefulShutdownDuration = gracefulShutdownLimit
        }
        return ServiceGroup(configuration: configuration)
    }
}

/// A loop started when its group runs and stopped (and awaited) when the group shuts down gracefully.
struct BackgroundLoop: Service, CustomStringConvertible {
    let name: String
    /// The role it belongs to (nil: every server runs it).
    var role: ServerRole? = nil
    let start: @Sendable () async -> Void
    let stop: @Sendable () async -> Void
    /// Told when the loop has started and when it stops (`/ready`).
    var reportsTo: RunningLoops?

    var description: String { name }

    func run() async throws {
        await start()
        reportsTo?.started(name)
        // Returns at graceful shutdown, or throws when the group is cancelled: the loop stops either way.
        try? await gracefulShutdown()
        reportsTo?.stopped(name)
        await stop()
    }
}

/// Vapor's HTTP server as a service: listening while the group runs, closed first when it shuts down.
struct HTTPServerService: Service, CustomStringConvertible {
    let app: Application

    var description: String { "http-server" }

    func run() async throws {
        try await app.server.start(address: nil)
        try? await gracefulShutdown()
        // Realtime clients are told to go (1001) first: the server's shutdown waits for their sockets to close.
        app.berqenas.realtime.closeAll()
        await app.server.shutdown()
    }
}
