import Synchronization

/// A flag a loop's owner raises to ask it to stop at its next safe point. Loops are not cancelled:
/// cancelling a task in the middle of opening a connection can drop the connection unclosed.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}
