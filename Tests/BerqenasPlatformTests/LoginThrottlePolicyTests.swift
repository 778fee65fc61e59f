import BerqenasPlatform
import Foundation
import Testing

@Suite struct LoginThrottlePolicyTests {
    let policy = LoginThrottlePolicy.standard
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func state(_ count: Int, lockedUntil: Date? = nil) -> LoginThrottleState {
        LoginThrottleState(failureCount: count, windowStartedAt: start, lockedUntil: lockedUntil)
    }

    @Test func fiveAttemptsAreCheckedAndTheFifthFailureLocksForFifteenMinutes() {
        let now = start.addingTimeInterval(240)
        for count in 1...4 { #expect(policy.decide(state(count), now: now) == .check(lockAfterFailure: nil)) }
        #expect(policy.decide(state(5), now: now) == .check(lockAfterFailure: now.addingTimeInterval(900)))
        #expect(policy.decide(state(6), now: now) == .lock(until: now.addingTimeInterval(900)), "never checked past the allowance")
        #expect(policy.decide(state(40), now: now) == .lock(until: now.addingTimeInterval(900)))
    }

    @Test func aLockRefusesUntilItEndsThenCountingStartsAgain() {
        let until = start.addingTimeInterval(900)
        #expect(policy.decide(state(9, lockedUntil: until), now: start.addingTimeInterval(899)) == .refuse(until: until))
        #expect(policy.decide(state(9, lockedUntil: until), now: until) == .restartWindow)
    }

    @Test func attemptsSpreadBeyondTheWindowStartANewOne() {
        #expect(policy.decide(state(3), now: start.addingTimeInterval(899)) == .check(lockAfterFailure: nil))
        #expect(policy.decide(state(3), now: start.addingTimeInterval(900)) == .restartWindow)
    }
}
