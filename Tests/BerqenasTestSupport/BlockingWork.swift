import Foundation
import Testing

extension Trait where Self == BlockingWorkTrait {
    /// Runs each test off Swift's cooperative pool, for tests that block (child processes, `usleep`).
    package static var blockingWork: Self { BlockingWorkTrait() }
}

/// Runs a test on a thread outside Swift's cooperative pool.
///
/// The pool has one thread per core: two on the machines CI uses. A test that blocks one of them for the
/// seconds a child process takes (python and sqlglot, wireguard-go, `ip netns`) halves what every other
/// test running meanwhile gets, and two such tests stop them all; a test with a latency bound then fails
/// only in the full suite. Under this trait the test's body prefers an executor backed by one thread of its
/// own, which the tests under the trait share (their blocking parts take turns; their waits do not).
package struct BlockingWorkTrait: TestTrait, SuiteTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(BlockingWorkThread.shared) { try await function() }
    }
}

/// A task executor that runs its jobs, in order, on one thread of its own, for the life of the process.
package final class BlockingWorkThread: TaskExecutor, @unchecked Sendable {
    package static let shared = BlockingWorkThread()
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var pthread: pthread_t?

    /// Whether the caller runs on this thread.
    package var isCurrent: Bool { condition.withLock { pthread.map { pthread_equal($0, pthread_self()) != 0 } ?? false } }

    init() {
        Thread { [self] in runJobs() }.start()
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    private func runJobs() {
        condition.withLock { pthread = pthread_self() }
        while true {
            let job = condition.withLock {
                while jobs.isEmpty { condition.wait() }
                return jobs.removeFirst()
            }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
