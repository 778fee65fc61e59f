import DatabaseConnectors
import Foundation
import Logging
import Synchronization

/// This server's live view of the event log: it reads new events in number order (woken by this server's
/// writes, by other servers' notifications, and at least every `fallback`) and hands each to every listener.
/// A listener registered at number N receives every event after N, once and in order: together with a
/// replay of the log up to N, nothing is missed and nothing comes twice.
package final class EventFeed: Sendable {
    /// Told each event, in number order; it must not block (it queues).
    package typealias Listener = @Sendable (PlatformEvent, JSONValue) -> Void

    private struct State {
        var delivered = 0
        var listeners: [UUID: Listener] = [:]
        var started = false
    }

    let log: EventLog
    private let state = Mutex(State())
    private let loop: PeriodicLoop
    private let logger = Logger(label: "berqenas.events")
    /// How long the feed waits for a wake-up before reading anyway (a lost notification costs at most this).
    static let fallback: Duration = .seconds(2)

    init(log: EventLog) {
        self.log = log
        self.loop = PeriodicLoop(bell: log.bell)
    }

    /// Starts from the newest event in the log.
    package func start() async {
        let newest = (try? await log.lastNumber()) ?? 0
        let first = state.withLock { state -> Bool in
            guard !state.started else { return false }
            state.started = true
            state.delivered = max(state.delivered, newest)
            return true
        }
        guard first else { return }
        loop.start(interval: Self.fallback) { [self] in await readNew() }
    }

    package func stop() async {
        await loop.stop()
    }

    /// Adds a listener; returns its token (for `remove`) and the number up to which it must replay the log.
    package func add(_ listener: @escaping Listener) -> (token: UUID, upTo: Int) {
        let token = UUID()
        let upTo = state.withLock { state in
            state.listeners[token] = listener
            return state.delivered
        }
        return (token, upTo)
    }

    package func remove(_ token: UUID) {
        _ = state.withLock { $0.listeners.removeValue(forKey: token) }
    }

    /// How many listeners there are (for tests and figures).
    package var listenerCount: Int { state.withLock { $0.listeners.count } }

    /// Reads what came after the last delivered event, page by page, and delivers it.
    private func readNew() async {
        while true {
            let after = state.withLock { $0.delivered }
            let page: [PlatformEvent]
            do {
                page = try await log.events(after: after, limit: 500)
            } catch {
                logger.warning("event feed: could not read the log: \(String(describing: error))")
                return
            }
            guard let last = page.last?.id else { return }
            let listeners = state.withLock { state -> [Listener] in
                // Set before anyone new registers, so a listener added now replays this page instead.
                state.delivered = last
                return Array(state.listeners.values)
            }
            for event in page {
                let data = (try? JSONValue.parse(event.dataJSON)) ?? .object([])
                for listener in listeners { listener(event, data) }
            }
            if page.count < 500 { return }
        }
    }
}
