import BerqenasPlatform
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import Synchronization

/// With a PostgreSQL system database, other servers' events reach this one's feed at once: a connection of
/// its own LISTENs to `EventLog.channel` and rings the feed's bell at each notification (and after each
/// reconnect, in case one was missed while away; the feed also reads every 2 s regardless).
final class EventNotifications: Sendable {
    let configuration: PostgresConnection.Configuration
    let bell: Doorbell
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// The listening connection, closed by `stop` (which ends its notification sequence).
    private let connection = Mutex<PostgresConnection?>(nil)

    init(url: String, bell: Doorbell, logger: Logger) throws {
        self.configuration = try SystemDatabaseTLS.connection(url: url)
        self.bell = bell
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
                        logger.warning("event notifications: \(String(describing: error)); listening again in 1 s")
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
            try await connection.listen(on: EventLog.channel) { notifications in
                bell.ring()
                for try await _ in notifications { bell.ring() }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
