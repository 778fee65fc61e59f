import Foundation
import Logging
import PostgresNIO
import Synchronization

/// A connection of its own on which a sync loop hears the capture triggers' NOTIFY, and through which it
/// asks for them: writers notify only while the loop holds the wake lock (`arm`), so a loop busy reading
/// is not sent a notification per commit.
///
/// The loop arms before it waits: `arm` waits (briefly) for writers that stayed silent to commit, so
/// one more read after it sees their changes, and every change committed later rings. It disarms when
/// it finds work, and reads back to back until it finds none.
package final class PostgresChangeSignal: Sendable {
    private let connection: PostgresConnection
    private let lockArguments: String
    private let channel: String
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var armed = false
        var closed = false
        /// Whether the LISTEN is in effect: only then is a notification sure to arrive, so only then may the
        /// loop arm (and rely on being woken).
        var listening = false
    }

    init(connection: PostgresConnection, lockArguments: String, channel: String, logger: Logger) {
        self.connection = connection
        self.lockArguments = lockArguments
        self.channel = channel
        self.logger = logger
    }

    /// Calls `onChange` for each notification until the connection closes or the calling task is cancelled.
    package func listen(_ onChange: @escaping @Sendable () -> Void) async throws {
        do {
            try await connection.listen(on: channel) { notifications in
                state.withLock { $0.listening = true }
                defer {
                    state.withLock {
                        $0.listening = false
                        $0.armed = false
                    }
                }
                for try await _ in notifications { onChange() }
            }
        } catch {
            // The end of a signal that was closed, or of a cancelled listener, is not a failure.
            if error is CancellationError || state.withLock({ $0.closed }) { return }
            throw error
        }
    }

    /// Takes the wake lock; false when it could not be had within the lock timeout (another loop on the
    /// same capture schema holds it, or a long transaction of a silent writer is still open).
    package func arm() async throws -> Bool {
        let (isArmed, isListening) = state.withLock { ($0.armed, $0.listening) }
        guard isListening else { return false }
        if isArmed { return true }
        do {
            try await connection.runToEnd(PostgresQuery(unsafeSQL: "SELECT pg_advisory_lock(\(lockArguments))"), logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
            // A lock granted just as the timeout fired is kept by the server though the statement failed: given
            // back, so that it does not stack under the next arm (this connection holds no other lock).
            try? await connection.runToEnd(PostgresQuery(unsafeSQL: "SELECT pg_advisory_unlock_all()"), logger: logger)
            return false
        } catch {
            throw PostgresErrorMapping.queryError(error)
        }
        state.withLock { $0.armed = true }
        return true
    }

    /// Whether the LISTEN is in effect (a notification sent now reaches `listen`'s callback).
    package var isListening: Bool { state.withLock { $0.listening } }

    /// Whether writers notify now: the wake lock is held and the LISTEN in effect.
    package var isArmed: Bool { state.withLock { $0.armed && $0.listening } }

    /// Gives the wake lock back: writers stop notifying.
    package func disarm() async throws {
        guard state.withLock({ $0.armed }) else { return }
        do {
            // All of this session's advisory locks: the wake lock, however many times it was granted.
            try await connection.runToEnd(PostgresQuery(unsafeSQL: "SELECT pg_advisory_unlock_all()"), logger: logger)
        } catch {
            throw PostgresErrorMapping.queryError(error)
        }
        state.withLock { $0.armed = false }
    }

    /// Closes the connection (which also gives the lock back).
    package func close() async {
        state.withLock { $0.closed = true }
        try? await connection.close()
    }
}

extension PostgresConnector {
    /// The channel the capture triggers of `schema` notify.
    package static func captureChannel(schema: String) -> String { PostgresCaptureSQL(schema: schema).channel }

    /// Opens the change signal of this database's capture schema. Taking its lock waits at most
    /// `lockTimeout` for open writers.
    package func changeSignal(lockTimeout: Duration = .milliseconds(200)) async throws -> PostgresChangeSignal {
        // Triggers installed by an earlier version may notify another channel: brought up to date first.
        try await refreshCapture()
        let connection = try await PostgresSocket.connect(try Self.configuration(spec), spec: spec, logger: logger).connection
        do {
            let milliseconds = lockTimeout.components.seconds * 1000 + lockTimeout.components.attoseconds / 1_000_000_000_000_000
            try await connection.runToEnd(PostgresQuery(unsafeSQL: "SET lock_timeout = \(max(1, milliseconds))"), logger: logger)
        } catch {
            try? await connection.close()
            throw PostgresErrorMapping.queryError(error)
        }
        return PostgresChangeSignal(
            connection: connection, lockArguments: captureSQL.wakeLockArguments, channel: captureSQL.channel,
            logger: logger)
    }
}
