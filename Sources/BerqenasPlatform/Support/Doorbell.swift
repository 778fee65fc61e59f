import Synchronization

/// Wakes a loop that waits for work: `wait` returns at a `ring` (one made while nobody waited counts for
/// the next wait), at its timeout (the loop's poll interval), or when its task is cancelled.
///
/// A waiting loop is suspended on a continuation: an idle hub does no work until a ring or a timeout.
package final class Doorbell: Sendable {
    /// Where one call of `wait` stands.
    private enum Wait {
        /// Started, not suspended yet.
        case starting
        case suspended(CheckedContinuation<Void, Never>)
        /// Rung (true), or timed out or cancelled (false); before it suspended, it returns at once.
        case ended(rung: Bool)

        var hasEnded: Bool { if case .ended = self { true } else { false } }
    }

    private struct State {
        /// A ring nobody waited for yet.
        var rung = false
        var waits: [UInt64: Wait] = [:]
        var lastWait: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Wakes every waiting loop, or the next one to wait.
    package func ring() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            var reached = false
            for (id, wait) in state.waits {
                switch wait {
                case let .suspended(continuation): woken.append(continuation)
                case .starting: break
                case .ended: continue
                }
                reached = true
                state.waits[id] = .ended(rung: true)
            }
            // Nobody about to sleep heard it (a wait that has just ended is not listening): it counts for the next.
            if !reached { state.rung = true }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits for a ring or `timeout`; answers whether a ring ended it (false: the timeout, or cancellation).
    @discardableResult
    package func wait(timeout: Duration) async -> Bool {
        let id: UInt64? = state.withLock { state in
            if state.rung {
                state.rung = false
                return nil
            }
            state.lastWait += 1
            state.waits[state.lastWait] = .starting
            return state.lastWait
        }
        guard let id else { return true }
        await withTaskGroup(of: Void.self) { group in
            // The timer ends the wait when it expires, or when it is cancelled: because the wait's task was,
            // or because a ring ended the wait first.
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.end(id)
            }
            group.addTask { await self.suspend(id) }
            await group.next()
            group.cancelAll()
        }
        let ended = state.withLock { $0.waits.removeValue(forKey: id) }
        if case let .ended(rung) = ended { return rung }
        return false
    }

    /// Whether a loop is suspended in `wait` (for tests).
    var isWaitedOn: Bool {
        state.withLock { state in
            state.waits.values.contains { if case .suspended = $0 { true } else { false } }
        }
    }

    private func suspend(_ id: UInt64) async {
        await withCheckedContinuation { continuation in
            let suspended = state.withLock { state in
                guard case .starting = state.waits[id] else { return false }
                state.waits[id] = .suspended(continuation)
                return true
            }
            if !suspended { continuation.resume() }
        }
    }

    /// Ends wait `id`: resumes it if it is suspended, else has it return as soon as it would suspend.
    private func end(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let wait = state.waits[id], !wait.hasEnded else { return nil }
            state.waits[id] = .ended(rung: false)
            if case let .suspended(continuation) = wait { return continuation }
            return nil
        }
        continuation?.resume()
    }
}
