import BerqenasPlatform
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// With a PostgreSQL system database, what other servers announce reaches this one at once: a connection of
/// its own LISTENs to `channel` and calls `onNotification` at each notification (and after each reconnect, in
/// case one was missed while away; what it wakes also runs periodically regardless). Other servers' events
/// ring the event feed's bell (`EventLog.channel`); VPN changes made elsewhere wake the gateway
/// (`VPNReconciler.channel`).
final class SystemNotifications: Sendable {
    let configuration: PostgresConnection.Configuration
    let channel: String
    let onNotification: @Sendable () -> Void
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// The listening connection, closed by `stop` (which ends its notification sequence).
    private let connection = Mutex<PostgresConnection?>(nil)

    init(url: String, channel: String, logger: Logger, onNotification: @escaping @Sendable () -> Void) throws {
        self.configuration = try SystemDatabaseTLS.connection(url: url)
        self.channel = channel
        self.onNotification = onNotification
        self.logger = logger
    }

    func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                while !Task.isCancelled {
                    do {
                        try await listen()
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("notifications on \(channel): \(String(describing: error)); listening again in 1 s")
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    func stop() async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        try? await connection.withLock { $0 }?.close()
        await running?.value
    }

    private func listen() async throws {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
        self.connection.withLock { $0 = connection }
        defer { self.connection.withLock { $0 = nil } }
        // `stop` cancels the task, then closes the connection it finds: one of the two sees the other.
        if Task.isCancelled {
            try? await connection.close()
            return
        }
        do {
            try await connection.listen(on: channel) { notifications in
                onNotification()
                for try await _ in notifications { onNotification() }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
