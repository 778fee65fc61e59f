import Synchronization

/// At most `limit` bodies run at once; the others wait their turn, in order. Bounds work that holds a shared
/// thread (bcrypt on the thread pool the database drivers also use) however many requests ask for it.
package final class ConcurrencyLimit: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// A limit of `limit` (at least 1) at once.
    package init(_ limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` once a place is free.
    package func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if !state.waiting.isEmpty { return state.waiting.removeFirst() }
            state.available += 1
            return nil
        }
        next?.resume()
    }
}
