import FluentKit
import Foundation

/// Failed sign-in attempts of one username, persisted so a lockout survives a restart.
package final class LoginThrottleRecord: Model, @unchecked Sendable {
    package static let schema = "login_throttles"

    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "failure_count") package var failureCount: Int
    @Field(key: "window_started_at") package var windowStartedAt: Date
    @OptionalField(key: "locked_until") package var lockedUntil: Date?

    package init() {}

    /// Creates a record from a throttle state.
    package init(username: String, state: LoginThrottleState) {
        self.username = username
        self.apply(state)
    }

    /// The record's values as a pure state.
    package var state: LoginThrottleState {
        LoginThrottleState(failureCount: failureCount, windowStartedAt: windowStartedAt, lockedUntil: lockedUntil)
    }

    /// Copies a state into the record.
    package func apply(_ state: LoginThrottleState) {
        failureCount = state.failureCount
        windowStartedAt = state.windowStartedAt
        lockedUntil = state.lockedUntil
    }
}
