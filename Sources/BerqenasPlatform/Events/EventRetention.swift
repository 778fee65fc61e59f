import Foundation
import Logging

/// Prunes the event log every hour: events older than the retention go, a thousand per statement.
package final class EventRetention: Sendable {
    let events: EventLog
    package let days: Int
    private let loop = PeriodicLoop()
    private let logger = Logger(label: "berqenas.events")

    init(events: EventLog, days: Int) {
        self.events = events
        self.days = days
    }

    package func start() {
        loop.start(interval: .seconds(3600)) { [self] in _ = await prune() }
    }

    package func stop() async {
        await loop.stop()
    }

    /// Drops what is older than the retention now; returns how many events went.
    package func prune(now: Date = Date()) async -> Int {
        do {
            let pruned = try await events.prune(before: now.addingTimeInterval(-Double(days) * 86_400))
            if pruned > 0 { logger.info("dropped \(pruned) event(s) older than \(days) day(s)") }
            return pruned
        } catch {
            logger.warning("could not prune the event log: \(String(describing: error))")
            return 0
        }
    }
}
