import Synchronization

/// Which of this server's background loops are running: started and not yet stopped. `/ready` answers 503
/// while one the server runs is not.
final class RunningLoops: Sendable {
    private let state = Mutex<(expected: [String], running: Set<String>)>(([], []))

    /// The loops this server runs (set when its services are made).
    func expect(_ names: [String]) {
        state.withLock { $0.expected = names }
    }

    func started(_ name: String) {
        state.withLock { _ = $0.running.insert(name) }
    }

    func stopped(_ name: String) {
        state.withLock { _ = $0.running.remove(name) }
    }

    /// The loops this server runs (its roles'), in their start order.
    var expected: [String] { state.withLock { $0.expected } }

    /// The expected loops not running, in their start order; all of them before any was made.
    var missing: [String] {
        state.withLock { state in state.expected.isEmpty ? ["background loops"] : state.expected.filter { !state.running.contains($0) } }
    }
}
