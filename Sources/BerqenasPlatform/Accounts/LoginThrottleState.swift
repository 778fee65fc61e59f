import Foundation

/// Failed sign-ins of one username and what they imply; pure, so the policy is tested without a database.
public struct LoginThrottleState: Sendable, Equatable {
    /// Failures counted in the current window.
    public var failureCount: Int
    /// Start of the window the failures are counted in.
    public var windowStartedAt: Date
    /// Until when sign-in is refused, if locked.
    public var lockedUntil: Date?

    /// Creates a state.
    public init(failureCount: Int, windowStartedAt: Date, lockedUntil: Date?) {
        self.failureCount = failureCount
        self.windowStartedAt = windowStartedAt
        self.lockedUntil = lockedUntil
    }
}

/// The lockout rule: `maxFailures` failed sign-ins within `window` lock the username for `lockDuration`.
public struct LoginThrottlePolicy: Sendable {
    /// Failures that trigger a lock.
    public var maxFailures: Int
    /// Period in which failures are counted.
    public var window: TimeInterval
    /// How long a lock lasts.
    public var lockDuration: TimeInterval

    /// Five failures in fifteen minutes lock for fifteen minutes.
    public static let standard = LoginThrottlePolicy(maxFailures: 5, window: 900, lockDuration: 900)

    /// Creates a policy.
    public init(maxFailures: Int, window: TimeInterval, lockDuration: TimeInterval) {
        self.maxFailures = maxFailures
        self.window = window
        self.lockDuration = lockDuration
    }

    /// When the username is locked at `now`, the moment the lock ends.
    public func lockedUntil(_ state: LoginThrottleState?, now: Date) -> Date? {
        guard let until = state?.lockedUntil, until > now else { return nil }
        return until
    }

    /// The state after one more failure at `now`.
    public func recordingFailure(_ state: LoginThrottleState?, now: Date) -> LoginThrottleState {
        var next: LoginThrottleState
        if let state, state.lockedUntil == nil, now.timeIntervalSince(state.windowStartedAt) < window {
            next = state
            next.failureCount += 1
        } else {
            next = LoginThrottleState(failureCount: 1, windowStartedAt: now, lockedUntil: nil)
        }
        if next.failureCount >= maxFailures {
            next.lockedUntil = now.addingTimeInterval(lockDuration)
        }
        return next
    }
}
