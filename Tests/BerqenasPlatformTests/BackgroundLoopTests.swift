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

    /// Rings racing waits: a wait with no timeout to speak of ends only at a ring (a lost one would hang it
    /// until the time limit), waits that time out race the rings to end the same wait, and a ring made
    /// after the last wait counts for the next. The work is a few hundred waits, not a duration: the time
    /// limit catches a hang, not a slow machine.
    @Test(.timeLimit(.minutes(1))) func ringsRacingWaitsAreNeverLost() async throws {
        let bell = Doorbell()
        let finished = StopFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<500 { await bell.wait(timeout: Self.hour) }
                for _ in 0..<200 { await bell.wait(timeout: .milliseconds(1)) }
                finished.raise()
            }
            group.addTask {
                while !finished.isRaised {
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
