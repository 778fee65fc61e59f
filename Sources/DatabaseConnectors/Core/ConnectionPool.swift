import NIOCore
import NIOPosix
import Synchronization

/// A bounded pool of connections: at most `maxConnections` open, callers wait for a free one.
///
/// A connection that reports itself unusable after use (closed by the server, broken mid-operation) is
/// dropped instead of being handed to the next caller. Taking and returning an idle connection is a short
/// critical section under a lock, not a hop to an actor: the generated APIs do it once per request.
///
/// A pool made with `loops` keeps its connections on those event loops, spread evenly, and matches them to
/// callers on the same loop when the server runs its tasks on NIO's loops: a new connection opens on the
/// caller's loop while that loop has less than its share, an idle connection of the caller's loop is taken
/// first, and a returned connection wakes a waiter of its own loop first. A request's handler, its database
/// round trip and its reply then stay on one thread, and both loops carry work.
package final class ConnectionPool<Connection: Sendable>: Sendable {
    private struct Waiter {
        let loop: ObjectIdentifier?
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State: ~Copyable {
        var idle: [Connection] = []
        var openCount = 0
        /// Open connections per event loop (loop-affine pools only).
        var openOnLoop: [ObjectIdentifier: Int] = [:]
        var waiters: [Waiter] = []
        var isShutDown = false

        /// Whether a waiter would find something to do now.
        var canProceed: Bool { isShutDown || !idle.isEmpty }
    }

    /// What `acquire` does next, decided under the lock.
    private enum Step {
        case use(Connection), drop(Connection), open((any EventLoop)?), wait, refuse
    }

    private let open: @Sendable ((any EventLoop)?) async throws -> Connection
    private let close: @Sendable (Connection) async -> Void
    private let isUsable: @Sendable (Connection) -> Bool
    private let eventLoop: @Sendable (Connection) -> (any EventLoop)?
    private let loops: [any EventLoop]
    private let maxConnections: Int
    private let state = Mutex(State())

    /// Creates a pool; nothing is opened until first use.
    package init(
        maxConnections: Int,
        open: @escaping @Sendable () async throws -> Connection,
        close: @escaping @Sendable (Connection) async -> Void,
        isUsable: @escaping @Sendable (Connection) -> Bool
    ) {
        self.maxConnections = max(1, maxConnections)
        self.open = { _ in try await open() }
        self.close = close
        self.isUsable = isUsable
        self.eventLoop = { _ in nil }
        self.loops = []
    }

    /// Creates a pool whose connections live on `loops` (`open` opens one on the loop it is given;
    /// `eventLoop` tells a connection's loop).
    package init(
        maxConnections: Int, loops: [any EventLoop],
        open: @escaping @Sendable (any EventLoop) async throws -> Connection,
        close: @escaping @Sendable (Connection) async -> Void,
        isUsable: @escaping @Sendable (Connection) -> Bool,
        eventLoop: @escaping @Sendable (Connection) -> any EventLoop
    ) {
        self.maxConnections = max(1, maxConnections)
        self.loops = loops
        self.open = { loop in try await open(loop ?? loops[0]) }
        self.close = close
        self.isUsable = isUsable
        self.eventLoop = { eventLoop($0) }
    }

    /// Runs `body` with a connection of the pool.
    package func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
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

    /// Callers waiting for a connection now.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Closes every idle connection and refuses new work.
    package func shutdown() async {
        let (closing, waiters) = state.withLock { state in
            state.isShutDown = true
            let closing = state.idle
            state.idle.removeAll()
            for connection in closing { forget(connection, in: &state) }
            let waiters = state.waiters
            state.waiters.removeAll()
            return (closing, waiters)
        }
        for connection in closing { await close(connection) }
        for waiter in waiters { waiter.continuation.resume() }
    }

    private func acquire() async throws -> Connection {
        while true {
            let step: Step = state.withLock { state in
                if state.isShutDown { return .refuse }
                let local = state.idle.lastIndex { eventLoop($0)?.inEventLoop == true }
                if let index = local ?? state.idle.indices.last {
                    let connection = state.idle.remove(at: index)
                    if isUsable(connection) { return .use(connection) }
                    forget(connection, in: &state)
                    return .drop(connection)
                }
                if state.openCount < maxConnections {
                    state.openCount += 1
                    let loop = loopForNewConnection(&state)
                    if let loop { state.openOnLoop[ObjectIdentifier(loop), default: 0] += 1 }
                    return .open(loop)
                }
                return .wait
            }
            switch step {
            case let .use(connection):
                return connection
            case let .drop(connection):
                await close(connection)
            case let .open(loop):
                do {
                    return try await open(loop)
                } catch {
                    state.withLock { state in
                        state.openCount -= 1
                        if let loop { state.openOnLoop[ObjectIdentifier(loop), default: 1] -= 1 }
                    }
                    wakeOne(for: nil)
                    throw error
                }
            case .refuse:
                throw ConnectorError(.unreachable, "the connection pool is shut down")
            case .wait:
                let loop = MultiThreadedEventLoopGroup.currentEventLoop.map { ObjectIdentifier($0) }
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    // Registered under the lock, after checking again: a release in between is not missed.
                    let ready = state.withLock { state in
                        if state.canProceed || state.openCount < maxConnections { return true }
                        state.waiters.append(Waiter(loop: loop, continuation: continuation))
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }

    private func release(_ connection: Connection) async {
        let kept =
            isUsable(connection)
            && state.withLock { state in
                guard !state.isShutDown else { return false }
                state.idle.append(connection)
                return true
            }
        if !kept {
            state.withLock { forget(connection, in: &$0) }
            await close(connection)
        }
        wakeOne(for: kept ? eventLoop(connection) : nil)
    }

    /// The loop a new connection opens on: the caller's while it has less than its share, otherwise the loop
    /// with the fewest (nil for a pool without loops).
    private func loopForNewConnection(_ state: inout State) -> (any EventLoop)? {
        guard !loops.isEmpty else { return nil }
        let share = (maxConnections + loops.count - 1) / loops.count
        if let current = loops.first(where: { $0.inEventLoop }),
            state.openOnLoop[ObjectIdentifier(current), default: 0] < share
        {
            return current
        }
        return loops.min { state.openOnLoop[ObjectIdentifier($0), default: 0] < state.openOnLoop[ObjectIdentifier($1), default: 0] }
    }

    /// Counts a connection as no longer open.
    private func forget(_ connection: Connection, in state: inout State) {
        state.openCount -= 1
        if let loop = eventLoop(connection) { state.openOnLoop[ObjectIdentifier(loop), default: 1] -= 1 }
    }

    /// Wakes the longest waiting caller of `loop`, or the longest waiting one.
    private func wakeOne(for loop: (any EventLoop)?) {
        let waiter: Waiter? = state.withLock { state in
            guard !state.waiters.isEmpty else { return nil }
            let mine = loop.flatMap { loop in state.waiters.firstIndex { $0.loop == ObjectIdentifier(loop) } }
            return state.waiters.remove(at: mine ?? 0)
        }
        waiter?.continuation.resume()
    }
}
