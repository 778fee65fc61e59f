import Synchronization

/// A background loop running a pass at once and then every `interval`, until `stop`, which wakes it
/// between passes (a pass under way is finished, not cancelled: see `StopFlag`).
final class PeriodicLoop: Sendable {
    private let bell: Doorbell
    private let stopping = StopFlag()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// A loop that also runs a pass whenever `bell` rings.
    init(bell: Doorbell = Doorbell()) {
        self.bell = bell
    }

    /// Starts the loop; nothing when it runs already or was stopped.
    func start(interval: Duration, _ pass: @escaping @Sendable () async -> Void) {
        task.withLock { task in
            guard task == nil, !stopping.isRaised else { return }
            task = Task { [bell, stopping] in
                while !stopping.isRaised {
                    await pass()
                    guard !stopping.isRaised else { break }
                    await bell.wait(timeout: interval)
                }
            }
        }
    }

    /// Whether the loop sleeps between passes (for tests).
    var isSleeping: Bool { bell.isWaitedOn }

    /// Stops the loop and returns once its pass under way, if any, has finished.
    func stop() async {
        stopping.raise()
        bell.ring()
        await task.withLock { $0 }?.value
    }
}
