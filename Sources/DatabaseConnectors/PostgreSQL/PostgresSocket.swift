import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A PostgreSQL connection and whether its server was dropped for not answering in time.
struct PostgresLink: Sendable {
    let connection: PostgresConnection
    let expiry: AnswerDeadlineExpiry
}

/// Opens PostgreSQL connections on sockets of its own, so that no step waits for ever on a server that went
/// silent or a path that went dead (a stopped server behind a tunnel, a firewall that swallows packets):
/// - the TCP connection and the sign-in together take at most the connect timeout;
/// - once signed in, an answer must start within the statement timeout plus `answerMargin` (a server still
///   at work sends its rows, or its own statement-timeout error, by then);
/// - TCP keepalive notices a dead peer of an idle connection (a listener waiting for notifications) within a
///   minute.
enum PostgresSocket {
    /// Seconds beyond the statement timeout a server may take to start an answer.
    static let answerMargin = 10.0
    /// TCP keepalive: first probe after 30 s idle, then every 10 s, given up after 3 unanswered.
    static let keepalive = (idle: 30, interval: 10, count: 3)

    static func connect(
        _ configuration: PostgresConnection.Configuration, spec: ConnectionSpec, logger: Logger,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async throws -> PostgresLink {
        let started = ContinuousClock.now
        let limit = Duration.milliseconds(Int64(spec.connectTimeout * 1000))
        let expiry = AnswerDeadlineExpiry()
        let channel: any Channel
        do {
            channel = try await bootstrap(on: eventLoop, spec: spec, expiry: expiry).connect(host: spec.host, port: spec.port).get()
        } catch {
            throw PostgresErrorMapping.connectError(error, spec: spec)
        }
        // The sign-in gets what is left of the connect timeout; past it the socket is closed.
        let left = max(.zero, limit - (ContinuousClock.now - started))
        let signInDeadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(left / .nanoseconds(1)))) {
            expiry.mark()
            channel.close(promise: nil)
        }
        defer { signInDeadline.cancel() }
        do {
            let connection = try await PostgresConnection.connect(
                on: channel.eventLoop, configuration: established(channel, like: configuration, spec: spec),
                id: Int.random(in: 1...Int(Int32.max)), logger: logger)
            // Cancelled on the channel's event loop, where the deadline runs: it has either fired or never will.
            let expired = try await channel.eventLoop.submit {
                signInDeadline.cancel()
                return expiry.hasExpired
            }.get()
            if expired {
                // The deadline fired as the sign-in finished: the socket is closing; not a usable connection.
                try? await connection.close()
                throw ConnectorError(.timeout, signInTimeoutMessage(spec))
            }
            return PostgresLink(connection: connection, expiry: expiry)
        } catch let error as ConnectorError {
            throw error
        } catch {
            channel.close(promise: nil)
            if expiry.hasExpired { throw ConnectorError(.timeout, signInTimeoutMessage(spec)) }
            throw PostgresErrorMapping.connectError(error, spec: spec)
        }
    }

    /// The error of an operation whose server did not start its answer in time.
    static func noAnswer(_ spec: ConnectionSpec) -> ConnectorError {
        ConnectorError(
            .timeout,
            "no answer from PostgreSQL at \(spec.host):\(spec.port) within \(formatted(spec.statementTimeout + answerMargin)) s "
                + "(the statement timeout and \(formatted(answerMargin)) s): the connection was closed")
    }

    private static func signInTimeoutMessage(_ spec: ConnectionSpec) -> String {
        "no answer from \(spec.host):\(spec.port) within \(formatted(spec.connectTimeout)) s (connecting)"
    }

    private static func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }

    private static func bootstrap(on eventLoop: any EventLoop, spec: ConnectionSpec, expiry: AnswerDeadlineExpiry) -> ClientBootstrap {
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(Int64(spec.connectTimeout * 1000)))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        #if os(Linux)
            let tcp = Int(IPPROTO_TCP)
            bootstrap =
                bootstrap
                .channelOption(ChannelOptions.Types.SocketOption(level: tcp, name: TCP_KEEPIDLE), value: keepalive.idle)
                .channelOption(ChannelOptions.Types.SocketOption(level: tcp, name: TCP_KEEPINTVL), value: keepalive.interval)
                .channelOption(ChannelOptions.Types.SocketOption(level: tcp, name: TCP_KEEPCNT), value: keepalive.count)
        #endif
        // A statement timeout of zero is none: then only keepalive watches the connection.
        if spec.statementTimeout > 0 {
            let limit = TimeAmount.milliseconds(Int64((spec.statementTimeout + answerMargin) * 1000))
            bootstrap = bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AnswerDeadlineHandler(limit: limit, expired: expiry), position: .first)
                }
            }
        }
        return bootstrap
    }

    /// `configuration` (TLS, credentials, options) over `channel`; the TLS name is the host's unless it is an
    /// address, as PostgresNIO does for the connections it opens itself.
    private static func established(
        _ channel: any Channel, like configuration: PostgresConnection.Configuration, spec: ConnectionSpec
    ) -> PostgresConnection.Configuration {
        var result = PostgresConnection.Configuration(
            establishedChannel: channel, tls: configuration.tls, username: configuration.username,
            password: configuration.password, database: configuration.database)
        result.options = configuration.options
        let isAddress = (try? SocketAddress(ipAddress: spec.host, port: 0)) != nil
        result.options.tlsServerName = configuration.options.tlsServerName ?? (isAddress ? nil : spec.host)
        return result
    }
}
