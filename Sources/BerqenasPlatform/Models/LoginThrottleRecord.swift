import FluentKit
import Foundation

/// Failed sign-in attempts of one username, persisted so a lockout survives a restart.
public final class LoginThrottleRecord: Model, @unchecked Sendable {
    public static let schema = "login_throttles"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "failure_count") public var failureCount: Int
    @Field(key: "window_started_at") public var windowStartedAt: Date
    @OptionalField(key: "locked_until") public var lockedUntil: Date?

    public init() {}

    /// Creates a record from a throttle state.
    public init(username: String, state: LoginThrottleState) {
        self.username = username
        self.apply(state)
    }

    /// The record's values as a pure state.
    public var state: LoginThrottleState {
        LoginThrottleState(failureCount: failureCount, windowStartedAt: windowStartedAt, lockedUntil: lockedUntil)
    }

    /// Copies a state into the record.
    public func apply(_ state: LoginThrottleState) {
        failureCount = state.failureCount
        windowStartedAt = state.windowStartedAt
        lockedUntil = state.lockedUntil
    }
}
