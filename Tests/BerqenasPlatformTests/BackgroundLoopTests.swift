import BerqenasTestSupport
import Testing

@testable import BerqenasPlatform

/// What background loops sleep on (`Doorbell`) and run in (`PeriodicLoop`): a ring wakes a suspended waiter
/// at once (or the next waiter), a timeout or a cancellation ends the wait, and nothing is lost at the seams.
struct BackgroundLoopTests {
    /// Long enough that a wait ending before it can only have been woken.
    static let hour: Duration = .seconds(3_600)

    @Test(.timeLimit(.minutes(1))) func aRingWakesALoopSuspendedForAnHour() async throws {
        let bell = Doorbell()
        let clock = ContinuousClock()
        let started = clock.now
        let waiting = Task { await bell.wait(timeout: Self.hour) }
        try await eventually("the loop is suspended") { bell.isWaitedOn }
        bell.ring()
        await waiting.value
        #expect(clock.now - started < .seconds(60))
        #expect(!bell.isWaitedOn)
    }

    @Test func aRingWhileNobodyWaitsCountsForTheNextWaitOnce() async {
        let bell = Doorbell()
        bell.ring()
        bell.ring()
        await bell.wait(timeout: Self.hour)
        let clock = ContinuousClock()
        let started = clock.now
        await bell.wait(timeout: .milliseconds(200))
        #expect(clock.now - started >= .milliseconds(200), "two rings before a wait count once")
    }

    @Test(.timeLimit(.minutes(1))) func cancellingTheWaitingTaskEndsTheWait() async throws {
        let bell = Doorbell()
        let waiting = Task { await bell.wait(timeout: Self.hour) }
        try await eventually("the loop is suspended") { bell.isWaitedOn }
        waiting.cancel()
        await waiting.value
        #expect(!bell.isWaitedOn)
    }

    /// Rings racing waits that start and time out: every wait ends (none hangs), and a ring made after the
    /// last wait started is never lost (it ends that wait or counts for the next).
    @Test(.timeLimit(.minutes(1))) func ringsRacingWaitsAreNeverLost() async throws {
        let bell = Doorbell()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<2_000 { await bell.wait(timeout: .milliseconds(1)) }
            }
            group.addTask {
                for _ in 0..<2_000 {
                    bell.ring()
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        bell.ring()
        await bell.wait(timeout: Self.hour)
    }

    /// The VPN reconciler's loop: its 5 s interval once made a hub's shutdown wait for the next pass.
    @Test(.timeLimit(.minutes(1))) func stoppingAPeriodicLoopWakesItBetweenPasses() async throws {
        let loop = PeriodicLoop()
        let passes = Counter()
        loop.start(interval: Self.hour) { await passes.add() }
        try await eventually("the first pass has run and the loop sleeps") { await passes.value == 1 && loop.isSleeping }
        let clock = ContinuousClock()
        let started = clock.now
        await loop.stop()
        #expect(clock.now - started < .seconds(60))
        #expect(await passes.value == 1)
    }
}

private actor Counter {
    var value = 0
    func add() { value += 1 }
}
