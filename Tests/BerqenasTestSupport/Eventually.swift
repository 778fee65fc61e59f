import Testing

/// Checks `condition` until it holds, recording an issue naming `what` when `timeout` passes first: a deadline
/// to wait for something to happen, never a fixed sleep.
package func eventually(
    _ what: String, timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("not reached within \(timeout): \(what)", sourceLocation: sourceLocation)
}
