import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The hub's own forwarder for one published service: it listens on the public port, admits only allowed
/// sources, opens a connection through the tunnel per client and pipes bytes both ways. Each connection is
/// logged (notice level) when it ends, with its byte counts, as is each refused source; totals wait in
/// `takeTraffic()` for the database.
package final class TCPRelay: Sendable {
    package let service: PublishedService
    private let listener: any Channel
    private let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    private let traffic = NIOLockedValueBox(PublicationTraffic.zero)
    private let logger: Logger

    private init(service: PublishedService, listener: any Channel, logger: Logger) {
        self.service = service
        self.listener = listener
        self.logger = logger
    }

    /// Starts listening; fails when the port cannot be bound.
    package static func start(
        _ service: PublishedService, logger: Logger,
        group: MultiThreadedEventLoopGroup = .singleton
    ) async throws -> TCPRelay {
        let box = NIOLockedValueBox<TCPRelay?>(nil)
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                guard let relay = box.withLockedValue({ $0 }) else { return channel.close() }
                return relay.accept(channel)
            }
            .bind(host: service.bind?.description ?? "0.0.0.0", port: service.publicPort).get()
        let relay = TCPRelay(service: service, listener: listener, logger: logger)
        box.withLockedValue { $0 = relay }
        return relay
    }

    /// The port it listens on (the service's, or the one the system chose for port 0).
    var boundPort: Int? { listener.localAddress?.port }

    /// What was carried since the last call.
    package func takeTraffic() -> PublicationTraffic {
        traffic.withLockedValue { taken in
            defer { taken = .zero }
            return taken
        }
    }

    /// Stops listening and cuts every open connection at once.
    package func close() async {
        try? await listener.close()
        for channel in open.withLockedValue({ Array($0.values) }) { try? await channel.close() }
    }

    private func accept(_ client: any Channel) -> EventLoopFuture<Void> {
        let source = client.remoteAddress?.ipAddress ?? "?"
        guard let address = IPv4Address(source), service.admits(address) else {
            logger.notice("publication \(service.publicPort): refused \(source) (not in allowed_cidrs)")
            return client.close()
        }
        let key = ObjectIdentifier(client)
        open.withLockedValue { $0[key] = client }
        let started = ContinuousClock.now
        let counts = NIOLockedValueBox((bytesIn: Int64(0), bytesOut: Int64(0)))
        let service = service
        let logger = logger
        let traffic = traffic
        let open = open
        // Both pipes live on the client's event loop (the upstream connection is made on it too).
        let inbound = NIOLoopBound(
            RelayPipe { bytes in
                counts.withLockedValue { $0.bytesIn += Int64(bytes) }
                traffic.withLockedValue { $0.bytesIn += Int64(bytes) }
            }, eventLoop: client.eventLoop)
        let outbound = NIOLoopBound(
            RelayPipe { bytes in
                counts.withLockedValue { $0.bytesOut += Int64(bytes) }
                traffic.withLockedValue { $0.bytesOut += Int64(bytes) }
            }, eventLoop: client.eventLoop)
        let target = "\(service.target):\(service.targetPort)"
        return ClientBootstrap(group: client.eventLoop)
            .connectTimeout(.seconds(5))
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture { try upstream.pipeline.syncOperations.addHandler(outbound.value) }
            }
            .connect(host: service.target.description, port: service.targetPort)
            .flatMap { upstream in
                RelayPipe.join(inbound.value, outbound.value)
                traffic.withLockedValue { $0.connections += 1 }
                client.closeFuture.whenComplete { _ in
                    upstream.close(promise: nil)
                    open.withLockedValue { _ = $0.removeValue(forKey: key) }
                    let seconds = started.duration(to: .now)
                    let (bytesIn, bytesOut) = counts.withLockedValue { ($0.bytesIn, $0.bytesOut) }
                    logger.notice(
                        "publication \(service.publicPort): \(source) -> \(target) closed after \(seconds), \(bytesIn) bytes in, \(bytesOut) bytes out"
                    )
                }
                logger.info("publication \(service.publicPort): \(source) -> \(target) opened")
                return client.eventLoop.makeCompletedFuture {
                    try client.pipeline.syncOperations.addHandler(inbound.value)
                }.flatMap {
                    client.setOption(.autoRead, value: true)
                }
            }
            .flatMapError { error in
                open.withLockedValue { _ = $0.removeValue(forKey: key) }
                logger.warning("publication \(service.publicPort): \(source) -> \(target) failed: \(error)")
                return client.close()
            }
    }
}
