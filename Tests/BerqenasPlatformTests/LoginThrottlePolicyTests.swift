import BerqenasPlatform
import Foundation
import Testing

@Suite struct LoginThrottlePolicyTests {
    let policy = LoginThrottlePolicy.standard
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func fifthFailureWithinWindowLocksForFifteenMinutes() {
        var state: LoginThrottleState?
        for attempt in 0..<4 {
            state = policy.recordingFailure(state, now: start.addingTimeInterval(Double(attempt) * 60))
            #expect(policy.lockedUntil(state, now: start.addingTimeInterval(Double(attempt) * 60)) == nil)
        }
        let fifth = start.addingTimeInterval(240)
        state = policy.recordingFailure(state, now: fifth)
        #expect(policy.lockedUntil(state, now: fifth) == fifth.addingTimeInterval(900))
        #expect(policy.lockedUntil(state, now: fifth.addingTimeInterval(899)) != nil)
        #expect(policy.lockedUntil(state, now: fifth.addingTimeInterval(900)) == nil)
    }

    @Test func failuresSpreadBeyondTheWindowDoNotLock() {
        var state: LoginThrottleState?
        for attempt in 0..<10 {
            let now = start.addingTimeInterval(Double(attempt) * 300)
            state = policy.recordingFailure(state, now: now)
            #expect(policy.lockedUntil(state, now: now) == nil, "attempt \(attempt)")
        }
    }

    @Test func aFailureAfterAnExpiredLockStartsCountingAgain() {
        let locked = LoginThrottleState(failureCount: 5, windowStartedAt: start, lockedUntil: start.addingTimeInterval(900))
        let next = policy.recordingFailure(locked, now: start.addingTimeInterval(1000))
        #expect(next.failureCount == 1)
        #expect(next.lockedUntil == nil)
    }
}
