import Foundation

/// Wakes a loop that waits for work: `wait` returns soon after a `ring` (one made while nobody waited
/// counts for the next wait), or after its timeout (the loop's poll interval).
///
/// It checks in 10 ms slices instead of suspending on a continuation: simple, cancellation-free, and
/// cheap at the handful of loops a hub runs.
final class Doorbell: @unchecked Sendable {
    private let lock = NSLock()
    private var rung = false
    static let slice: Duration = .milliseconds(10)

    func ring() {
        lock.withLock { rung = true }
    }

    func wait(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if takeRing() { return }
            try? await Task.sleep(for: Self.slice)
        }
    }

    private func takeRing() -> Bool {
        lock.withLock {
            defer { rung = false }
            return rung
        }
    }
}
