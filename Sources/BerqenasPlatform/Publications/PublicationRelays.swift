import BerqenasNetwork
import Logging

/// The relays serving published services when the hub forwards them itself (publish mode `relay`): one
/// per enabled publication, started, replaced or closed to match what the database wants.
actor PublicationRelays {
    private var running: [String: TCPRelay] = [:]
    /// Traffic of relays already closed, not yet handed over.
    private var pending: [String: PublicationTraffic] = [:]
    private var failures: [String: String] = [:]
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Makes the running relays exactly `services` (a changed service is closed and started again).
    func sync(_ services: [PublishedService]) async {
        let wanted = Dictionary(services.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, relay) in running where wanted[key] != relay.service {
            await retire(key, relay)
        }
        for service in services where running[service.key] == nil {
            do {
                running[service.key] = try await TCPRelay.start(service, logger: logger)
                failures[service.key] = nil
            } catch {
                failures[service.key] = "cannot listen on port \(service.publicPort): \(error)"
                logger.warning("publication \(service.publicPort): cannot listen: \(error)")
            }
        }
        failures = failures.filter { wanted[$0.key] != nil }
    }

    /// Why the service's relay is not running, if it failed.
    func failure(of key: String) -> String? { failures[key] }

    /// Traffic per service since the last call.
    func takeTraffic() -> [String: PublicationTraffic] {
        var taken = pending
        pending = [:]
        for (key, relay) in running {
            let traffic = relay.takeTraffic()
            if !traffic.isZero { taken[key, default: .zero] = taken[key, default: .zero] + traffic }
        }
        return taken
    }

    func stopAll() async {
        for (key, relay) in running { await retire(key, relay) }
    }

    private func retire(_ key: String, _ relay: TCPRelay) async {
        running[key] = nil
        await relay.close()
        let traffic = relay.takeTraffic()
        if !traffic.isZero { pending[key, default: .zero] = pending[key, default: .zero] + traffic }
    }
}
