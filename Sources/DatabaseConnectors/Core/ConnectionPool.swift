import Synchronization

/// A bounded pool of connections: at most `maxConnections` open, callers wait for a free one.
///
/// A connection that reports itself unusable after use (closed by the server, broken mid-operation) is
/// dropped instead of being handed to the next caller. Taking and returning an idle connection is a short
/// critical section under a lock, not a hop to an actor: the generated APIs do it once per request.
public final class ConnectionPool<Connection: Sendable>: Sendable {
    private struct State: ~Copyable {
        var idle: [Connection] = []
        var openCount = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var isShutDown = false

        /// Whether a waiter would find something to do now.
        var canProceed: Bool { isShutDown || !idle.isEmpty }
    }

    /// What `acquire` does next, decided under the lock.
    private enum Step {
        case use(Connection), drop(Connection), open, wait, refuse
    }

    private let open: @Sendable () async throws -> Connection
    private let close: @Sendable (Connection) async -> Void
    private let isUsable: @Sendable (Connection) -> Bool
    private let maxConnections: Int
    private let state = Mutex(State())

    /// Creates a pool; nothing is opened until first use.
    public init(maxConnections: Int,
                open: @escaping @Sendable () async throws -> Connection,
                close: @escaping @Sendable (Connection) async -> Void,
                isUsable: @escaping @Sendable (Connection) -> Bool) {
        self.maxConnections = max(1, maxConnections)
        self.open = open
        self.close = close
        self.isUsable = isUsable
    }

    /// Runs `body` with a connection of the pool.
    public func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Closes every idle connection and refuses new work.
    public func shutdown() async {
        let (closing, waiters) = state.withLock { state in
            state.isShutDown = true
            let closing = state.idle
            state.idle.removeAll()
            state.openCount -= closing.count
            let waiters = state.waiters
            state.waiters.removeAll()
            return (closing, waiters)
        }
        for connection in closing { await close(connection) }
        for waiter in waiters { waiter.resume() }
    }

    private func acquire() async throws -> Connection {
        while true {
            let step: Step = state.withLock { state in
                if state.isShutDown { return .refuse }
                if let connection = state.idle.popLast() {
                    if isUsable(connection) { return .use(connection) }
                    state.openCount -= 1
                    return .drop(connection)
                }
                if state.openCount < maxConnections {
                    state.openCount += 1
                    return .open
                }
                return .wait
            }
            switch step {
            case let .use(connection):
                return connection
            case let .drop(connection):
                await close(connection)
            case .open:
                do {
                    return try await open()
                } catch {
                    state.withLock { $0.openCount -= 1 }
                    wakeOne()
                    throw error
                }
            case .refuse:
                throw ConnectorError(.unreachable, "the connection pool is shut down")
            case .wait:
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    // Registered under the lock, after checking again: a release in between is not missed.
                    let ready = state.withLock { state in
                        if state.canProceed || state.openCount < maxConnections { return true }
                        state.waiters.append(waiter)
                        return false
                    }
                    if ready { waiter.resume() }
                }
            }
        }
    }

    private func release(_ connection: Connection) async {
        let kept = isUsable(connection) && state.withLock { state in
            guard !state.isShutDown else { return false }
            state.idle.append(connection)
            return true
        }
        if !kept {
            state.withLock { $0.openCount -= 1 }
            await close(connection)
        }
        wakeOne()
    }

    private func wakeOne() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
