import Foundation

/// How alerts behave, from the configuration.
package struct AlertSettings: Sendable {
    /// The panel's address for links in messages (`BERQENAS_PUBLIC_URL`); nil: messages carry no link.
    package var publicURL: String?
    /// The pause before the first retry of a failed delivery (`BERQENAS_ALERT_RETRY_SECONDS`); each next
    /// pause doubles, up to `longestPause`.
    package var firstRetry: TimeInterval = 30
    package var longestPause: TimeInterval = 3600
    /// How long a delivery is retried before it is given up.
    package var giveUpAfter: TimeInterval = 24 * 3600
    /// How often rules are looked at without a reason to.
    package var evaluationInterval: Duration = .seconds(15)
    /// How often the queue is read without a message queued on this server (other servers' messages, retries due).
    package var dispatchInterval: Duration = .seconds(2)
    /// How long a server may hold a delivery it is sending (longer than the slowest attempt may take).
    package var lease: TimeInterval = 180

    package init() {}

    /// The pause after `attempts` failed attempts.
    func pause(after attempts: Int) -> TimeInterval {
        min(longestPause, firstRetry * pow(2, Double(max(0, attempts - 1))))
    }
}
