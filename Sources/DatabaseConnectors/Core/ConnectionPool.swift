/// A bounded pool of connections: at most `maxConnections` open, callers wait for a free one.
///
/// A connection that reports itself unusable after use (closed by the server, broken mid-operation) is
/// dropped instead of being handed to the next caller.
public actor ConnectionPool<Connection: Sendable> {
    private let open: @Sendable () async throws -> Connection
    private let close: @Sendable (Connection) async -> Void
    private let isUsable: @Sendable (Connection) -> Bool
    private let maxConnections: Int
    private var idle: [Connection] = []
    private var openCount = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isShutDown = false

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
    public nonisolated func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
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
        isShutDown = true
        let closing = idle
        idle.removeAll()
        openCount -= closing.count
        for connection in closing { await close(connection) }
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }

    private func acquire() async throws -> Connection {
        while true {
            guard !isShutDown else { throw ConnectorError(.unreachable, "the connection pool is shut down") }
            if let connection = idle.popLast() {
                if isUsable(connection) { return connection }
                openCount -= 1
                await close(connection)
                continue
            }
            if openCount < maxConnections {
                openCount += 1
                do {
                    return try await open()
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func release(_ connection: Connection) async {
        if isUsable(connection), !isShutDown {
            idle.append(connection)
        } else {
            openCount -= 1
            await close(connection)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
