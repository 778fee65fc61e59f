import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import DatabaseConnectors

/// A remote that stops answering, or goes away, at any point of a connection fails the operation within the
/// connection's timeouts: a sync job never waits for ever on a hung server, a dropped tunnel or a firewall
/// that swallows packets (the failure a stopped PostgreSQL caused in CI: a job `running` for ever).
@Suite struct StalledServerTests {
    /// What the fake server does, message by message (each read of the client's bytes is one step).
    enum Script: Sendable, CustomStringConvertible {
        /// Accepts the connection and never answers.
        case silent
        /// Closes the connection as soon as the client says anything.
        case closeAtOnce
        /// Accepts TLS (`S`) and then says nothing more.
        case acceptsTLSThenSilent
        /// Asks for a password, then closes when it comes.
        case asksPasswordThenCloses
        /// Signs the client in, never says it is ready.
        case signsInThenSilent
        /// Becomes ready for queries, then never answers a query.
        case readyThenSilent
        /// Becomes ready for queries, then closes when a query comes.
        case readyThenCloses

        var description: String {
            switch self {
            case .silent: "silent"
            case .closeAtOnce: "closeAtOnce"
            case .acceptsTLSThenSilent: "acceptsTLSThenSilent"
            case .asksPasswordThenCloses: "asksPasswordThenCloses"
            case .signsInThenSilent: "signsInThenSilent"
            case .readyThenSilent: "readyThenSilent"
            case .readyThenCloses: "readyThenCloses"
            }
        }

        /// What the server answers to the client's `step`th message (nil: nothing), and whether it then closes.
        func answer(toStep step: Int) -> (bytes: [UInt8]?, close: Bool) {
            let authenticationOK: [UInt8] = [0x52, 0, 0, 0, 8, 0, 0, 0, 0]
            let ready: [UInt8] = authenticationOK + [0x4B, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2] + [0x5A, 0, 0, 0, 5, 0x49]
            switch (self, step) {
            case (.silent, _): return (nil, false)
            case (.closeAtOnce, _): return (nil, true)
            case (.acceptsTLSThenSilent, 1): return ([0x53], false)
            case (.acceptsTLSThenSilent, _): return (nil, false)
            case (.asksPasswordThenCloses, 1): return ([0x52, 0, 0, 0, 8, 0, 0, 0, 3], false)
            case (.asksPasswordThenCloses, _): return (nil, true)
            case (.signsInThenSilent, 1): return (authenticationOK, false)
            case (.signsInThenSilent, _): return (nil, false)
            case (.readyThenSilent, 1), (.readyThenCloses, 1): return (ready, false)
            case (.readyThenSilent, _): return (nil, false)
            case (.readyThenCloses, _): return (nil, true)
            }
        }
    }

    final class FakeServerHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let script: Script
        var step = 0

        init(script: Script) { self.script = script }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            step += 1
            let (bytes, close) = script.answer(toStep: step)
            if let bytes { context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil) }
            if close { context.close(promise: nil) }
        }
    }

    /// A fake PostgreSQL server on loopback running `script` for each connection, on an event loop of its own
    /// (the shared ones are busy with every other suite).
    static func withFakeServer<T: Sendable>(_ script: Script, _ body: (Int) async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FakeServerHandler(script: script)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body(server.localAddress!.port!)
            try await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    @Test(arguments: [
        Script.silent, .closeAtOnce, .acceptsTLSThenSilent, .asksPasswordThenCloses, .signsInThenSilent, .readyThenSilent, .readyThenCloses,
    ])
    func aPostgreSQLServerThatStallsOrLeavesFailsTheOperationInTime(_ script: Script) async throws {
        try await Self.withFakeServer(script) { port in
            let connector = try PostgresConnector(
                spec: ConnectionSpec(
                    engine: .postgresql, host: "127.0.0.1", port: port, database: "x", username: "x", password: "pw",
                    tls: script.isTLS ? .require : .disable, connectTimeout: script.connectTimeout, statementTimeout: 1))
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: ConnectorError.self) { try await connector.test() }
            let elapsed = clock.now - started
            // Signing in within the connect timeout; once ready, an answer within the statement timeout and the
            // margin for a server still at work; each with four seconds' slack (the whole suite runs at once).
            let bound = script.connectTimeout + (script.isReady ? 1 + PostgresSocket.answerMargin : 0) + 4
            #expect(elapsed < .seconds(bound), "\(script): \(elapsed), \(String(describing: error))")
            #expect(error?.code == (script.closes ? .unreachable : .timeout), "\(script): \(String(describing: error))")
            await connector.close()
        }
    }
}

extension StalledServerTests.Script {
    /// One second where the server falls silent while the client signs in (the deadline under test); where
    /// it answers, five, so that a loaded machine's slow hand-offs are not mistaken for a silent server.
    var connectTimeout: Double { isReady || closes ? 5 : 1 }

    var isTLS: Bool { if case .acceptsTLSThenSilent = self { true } else { false } }

    /// Whether the server gets as far as ready for queries.
    var isReady: Bool {
        switch self {
        case .readyThenSilent, .readyThenCloses: true
        default: false
        }
    }

    /// Whether the server goes away (rather than falling silent).
    var closes: Bool {
        switch self {
        case .closeAtOnce, .asksPasswordThenCloses, .readyThenCloses: true
        default: false
        }
    }
}
