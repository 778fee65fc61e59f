import Logging
import NIOCore
import NIOPosix
import Testing

@testable import BerqenasNetwork

/// The publication relay over real loopback sockets: bytes both ways (with backpressure), counts, allowed
/// sources, and closing that cuts open connections.
struct TCPRelayTests {
    /// A loopback server that sends back whatever it receives; returns its port.
    static func echoServer() async throws -> (port: Int, channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
            }
        return (server.channel.localAddress!.port!, server)
    }

    static func serveEcho(_ server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) async throws {
        try await server.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    group.addTask {
                        try? await connection.executeThenClose { inbound, outbound in
                            for try await chunk in inbound { try await outbound.write(chunk) }
                        }
                    }
                }
            }
        }
    }

    static func connect(_ port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    }

    /// Sends `size` bytes and reads back what comes, until `size` bytes or the end of the stream.
    static func roundTrip(_ port: Int, size: Int) async throws -> Int {
        let client = try await connect(port)
        return try await client.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var sent = 0
                    // A connection the relay turns away may be closed before the first write: what came back counts.
                    while sent < size, (try? await outbound.write(ByteBuffer(repeating: UInt8(sent % 251), count: min(65_536, size - sent)))) != nil {
                        sent += min(65_536, size - sent)
                    }
                    return 0
                }
                group.addTask {
                    var received = 0
                    do {
                        for try await chunk in inbound {
                            received += chunk.readableBytes
                            if received >= size { break }
                        }
                    } catch {}  // reset by the relay: what came back counts
                    return received
                }
                return try await group.reduce(0, +)
            }
        }
    }

    func relay(to port: Int, allowing allowed: String) async throws -> TCPRelay {
        let service = PublishedService(
            key: "test", publicPort: 0, allowed: [try IPv4Network(parsing: allowed)],
            bind: IPv4Address("127.0.0.1"), target: IPv4Address("127.0.0.1")!, targetPort: port)
        return try await TCPRelay.start(service, logger: Logger(label: "test.relay"))
    }

    @Test func bytesFlowBothWaysAndAreCounted() async throws {
        let (echoPort, server) = try await Self.echoServer()
        let serving = Task { try await Self.serveEcho(server) }
        defer { serving.cancel() }
        let relay = try await relay(to: echoPort, allowing: "127.0.0.0/8")
        let size = 4 * 1024 * 1024
        #expect(try await Self.roundTrip(relay.boundPort!, size: size) == size, "4 MiB echoed through the relay")
        #expect(try await Self.roundTrip(relay.boundPort!, size: 1_000) == 1_000)
        let traffic = relay.takeTraffic()
        #expect(traffic.connections == 2 && traffic.bytesIn == Int64(size + 1_000) && traffic.bytesOut == Int64(size + 1_000), "\(traffic)")
        #expect(relay.takeTraffic() == .zero, "taken once")
        await relay.close()
    }

    @Test func sourcesOutsideTheAllowedNetworksAreTurnedAway() async throws {
        let (echoPort, server) = try await Self.echoServer()
        let serving = Task { try await Self.serveEcho(server) }
        defer { serving.cancel() }
        let relay = try await relay(to: echoPort, allowing: "10.0.0.0/8")
        #expect(try await Self.roundTrip(relay.boundPort!, size: 1_000) == 0, "closed without a byte")
        #expect(relay.takeTraffic() == .zero)
        await relay.close()
    }

    @Test func closingCutsOpenConnectionsAndStopsListening() async throws {
        let (echoPort, server) = try await Self.echoServer()
        let serving = Task { try await Self.serveEcho(server) }
        defer { serving.cancel() }
        let relay = try await relay(to: echoPort, allowing: "127.0.0.1/32")
        let port = relay.boundPort!
        let client = try await Self.connect(port)
        let ended = try await client.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "hello"))
            var iterator = inbound.makeAsyncIterator()
            #expect(try await iterator.next().map { String(buffer: $0) } == "hello")
            await relay.close()
            return try await iterator.next() == nil
        }
        #expect(ended, "the open connection was cut")
        await #expect(throws: (any Error).self) { _ = try await Self.connect(port) }
    }
}
