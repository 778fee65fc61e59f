import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DatabaseConnectors

/// The pool's event-loop matching, with two real NIO loops and tasks running on them (as the server's tasks do
/// once they run on NIO's loops).
@Suite struct ConnectionPoolTests {
    /// A connection that remembers the loop it was opened on.
    final class Connection: Sendable {
        let loop: any EventLoop
        let number: Int
        init(loop: any EventLoop, number: Int) {
            self.loop = loop
            self.number = number
        }
    }

    /// Runs a task's jobs on one event loop.
    final class LoopExecutor: TaskExecutor {
        let loop: any EventLoop
        init(_ loop: any EventLoop) { self.loop = loop }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    var loops: [any EventLoop] { Array(group.makeIterator()) }

    func pool(_ maxConnections: Int) -> ConnectionPool<Connection> {
        let opened = Atomic(0)
        return ConnectionPool(
            maxConnections: maxConnections, loops: loops,
            open: { Connection(loop: $0, number: opened.add(1, ordering: .relaxed).newValue) },
            close: { _ in }, isUsable: { _ in true }, eventLoop: { $0.loop })
    }

    /// Runs `body` in a task whose jobs run on `loop`.
    func on<T: Sendable>(_ loop: any EventLoop, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        try await Task(executorPreference: LoopExecutor(loop)) { try await body() }.value
    }

    @Test func aCallerOpensOnItsOwnLoopUntilThatLoopHasItsShare() async throws {
        let pool = pool(4)
        let (a, b) = (loops[0], loops[1])
        let homes = try await on(a) {
            try await pool.withConnection { first in
                try await pool.withConnection { second in
                    try await pool.withConnection { third in
                        [first, second, third].map { ObjectIdentifier($0.loop) }
                    }
                }
            }
        }
        #expect(homes == [ObjectIdentifier(a), ObjectIdentifier(a), ObjectIdentifier(b)])
        try await group.shutdownGracefully()
    }

    @Test func callersOffTheLoopsOpenOnTheLeastUsedLoop() async throws {
        let pool = pool(4)
        let homes = try await pool.withConnection { first in
            try await pool.withConnection { second in
                [first, second].map { ObjectIdentifier($0.loop) }
            }
        }
        #expect(Set(homes).count == 2)
        try await group.shutdownGracefully()
    }

    @Test func anIdleConnectionOfTheCallersLoopIsTakenFirst() async throws {
        let pool = pool(2)
        let (a, b) = (loops[0], loops[1])
        // Held together from loop a: the first opens on a, the second (a has its share) on b. Loop b's is returned
        // first, so loop a's ends on top of the idle list.
        let (onA, onB) = try await on(a) {
            try await pool.withConnection { outer in
                try await pool.withConnection { inner in (outer.number, inner.number) }
            }
        }
        #expect(onA != onB)
        #expect(try await on(b) { try await pool.withConnection { $0.number } } == onB)
        #expect(try await on(a) { try await pool.withConnection { $0.number } } == onA)
        try await group.shutdownGracefully()
    }

    @Test func aReturnedConnectionWakesAWaiterOfItsOwnLoopFirst() async throws {
        let pool = pool(2)
        let (a, b) = (loops[0], loops[1])
        let releaseA = AsyncStream.makeStream(of: Void.self)
        let releaseB = AsyncStream.makeStream(of: Void.self)
        let heldA = AsyncStream.makeStream(of: Int.self)
        let heldB = AsyncStream.makeStream(of: Int.self)
        let holderA = Task(executorPreference: LoopExecutor(a)) {
            try await pool.withConnection { connection in
                heldA.continuation.yield(connection.number)
                for await _ in releaseA.stream { break }
            }
        }
        let holderB = Task(executorPreference: LoopExecutor(b)) {
            try await pool.withConnection { connection in
                heldB.continuation.yield(connection.number)
                for await _ in releaseB.stream { break }
            }
        }
        var iteratorA = heldA.stream.makeAsyncIterator()
        var iteratorB = heldB.stream.makeAsyncIterator()
        let numberA = await iteratorA.next()
        let numberB = await iteratorB.next()
        // The waiter of loop a waits first; then one of loop b, which keeps what it gets until told.
        let waiterA = Task(executorPreference: LoopExecutor(a)) { try await pool.withConnection { $0.number } }
        while pool.waitingCount < 1 { await Task.yield() }
        let gotB = AsyncStream.makeStream(of: Int.self)
        let doneB = AsyncStream.makeStream(of: Void.self)
        let waiterB = Task(executorPreference: LoopExecutor(b)) {
            try await pool.withConnection { connection in
                gotB.continuation.yield(connection.number)
                for await _ in doneB.stream { break }
            }
        }
        while pool.waitingCount < 2 { await Task.yield() }
        // Loop b's connection comes back: loop b's waiter gets it although loop a's has waited longer.
        releaseB.continuation.yield()
        var iteratorGotB = gotB.stream.makeAsyncIterator()
        #expect(await iteratorGotB.next() == numberB)
        #expect(pool.waitingCount == 1)
        releaseA.continuation.yield()
        #expect(try await waiterA.value == numberA)
        doneB.continuation.yield()
        try await waiterB.value
        try await holderA.value
        try await holderB.value
        try await group.shutdownGracefully()
    }
}
