import Foundation

/// Failed sign-ins of one username and what they imply; pure, so the policy is tested without a database.
package struct LoginThrottleState: Sendable, Equatable {
    /// Failures counted in the current window.
    package var failureCount: Int
    /// Start of the window the failures are counted in.
    package var windowStartedAt: Date
    /// Until when sign-in is refused, if locked.
    package var lockedUntil: Date?

    /// Creates a state.
    package init(failureCount: Int, windowStartedAt: Date, lockedUntil: Date?) {
        self.failureCount = failureCount
        self.windowStartedAt = windowStartedAt
        self.lockedUntil = lockedUntil
    }
}

/// The lockout rule: `maxFailures` failed sign-ins within `window` lock the username for `lockDuration`.
package struct LoginThrottlePolicy: Sendable {
    /// Failures that trigger a lock.
    package var maxFailures: Int
    /// Period in which failures are counted.
    package var window: TimeInterval
    /// How long a lock lasts.
    package var lockDuration: TimeInterval

    /// Five failures in fifteen minutes lock for fifteen minutes.
    package static let standard = LoginThrottlePolicy(maxFailures: 5, window: 900, lockDuration: 900)

    /// Creates a policy.
    package init(maxFailures: Int, window: TimeInterval, lockDuration: TimeInterval) {
        self.maxFailures = maxFailures
        self.window = window
        self.lockDuration = lockDuration
    }

    /// What an attempt means, given the state that already counts it (every attempt is counted as a failure
    /// before its password is checked; a success clears the count).
    package enum Decision: Sendable, Equatable {
        /// Check the password; if it is wrong and `lockAfterFailure`, lock until the moment given.
        case check(lockAfterFailure: Date?)
        /// Locked: refuse without checking.
        case refuse(until: Date)
        /// Over the allowance: lock from now until the moment given, and refuse.
        case lock(until: Date)
        /// The window (or a lock) ran out: count this attempt as the first of a new window.
        case restartWindow
    }

    /// The decision for an attempt at `now` whose state (after counting it) is `state`.
    package func decide(_ state: LoginThrottleState, now: Date) -> Decision {
        if let until = state.lockedUntil, until > now { return .refuse(until: until) }
        if state.lockedUntil != nil || now.timeIntervalSince(state.windowStartedAt) >= window { return .restartWindow }
        if state.failureCount > maxFailures { return .lock(until: now.addingTimeInterval(lockDuration)) }
        return .check(lockAfterFailure: state.failureCount == maxFailures ? now.addingTimeInterval(lockDuration) : nil)
    }
}
