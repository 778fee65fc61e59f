import Foundation

/// A flag a loop's owner raises to ask it to stop at its next safe point. Loops are not cancelled:
/// cancelling a task in the middle of opening a connection can drop the connection unclosed.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}
