import BerqenasSync
import DatabaseConnectors
import Foundation
import Logging

/// What wakes one continuous loop whose local side is PostgreSQL: the capture triggers' NOTIFY through a
/// `PostgresChangeSignal`, opened in the background, listened to, and opened again when opening failed or
/// its connection was lost. Until it works the loop reads every `fallbackPoll` (its poll interval may be an
/// hour, which only a notification would cut short). A site of another engine polls at its own interval.
final class LoopWakeSignal {
    /// How often a loop without a working signal reads anyway.
    static let fallbackPoll: Duration = .seconds(1)
    /// How soon a signal that failed is opened again.
    static let reopenAfter: Duration = .seconds(10)
    /// How long a loop waits after an arm that could not take the wake lock (a writer's transaction is open).
    static let armRetry: Duration = .milliseconds(250)

    private let connector: PostgresConnector?
    private let bell: Doorbell
    private let logger: Logger
    private let remoteName: String
    private var opening: Task<Result<PostgresChangeSignal, any Error>, Never>?
    private var signal: PostgresChangeSignal?
    private var listener: Task<Void, Never>?
    /// Raised when the current signal's listener ended (its connection was lost).
    private var listenerEnded = StopFlag()
    private var reopenAt: ContinuousClock.Instant?
    /// Whether the operator was told the loop is polling; the recovery is then told too.
    private var degraded = false

    /// Starts opening the signal of `local` (when it is PostgreSQL) while the loop's first read runs.
    init(local: any DatabaseConnector, bell: Doorbell, logger: Logger, remoteName: String) {
        connector = local as? PostgresConnector
        self.bell = bell
        self.logger = logger
        self.remoteName = remoteName
        open()
    }

    /// The read found changes: writers need not notify while the loop reads on.
    func busy() async {
        try? await signal?.disarm()
    }

    /// The read found nothing. Makes sure a change committed from now on rings the bell, and returns how long
    /// the loop may wait for it; zero when arming just took effect (writers that were silent until then have
    /// committed, and one more read sees their changes).
    func idle(poll: Duration) async -> Duration {
        guard connector != nil else { return poll }
        await settle()
        guard let signal else { return min(poll, Self.fallbackPoll) }
        if signal.isArmed { return poll }
        do {
            // A signal not listening yet does not arm: the loop reads again shortly.
            return try await signal.arm() ? .zero : min(poll, Self.armRetry)
        } catch {
            await lost(error)
            return min(poll, Self.fallbackPoll)
        }
    }

    /// Closes the signal (a pending one too) and waits for its listener.
    func close() async {
        if let opening, case let .success(opened) = await opening.value { await opened.close() }
        opening = nil
        await signal?.close()
        await listener?.value
    }

    private func open() {
        guard let connector else { return }
        opening = Task {
            do { return .success(try await connector.changeSignal()) } catch { return .failure(error) }
        }
    }

    /// Takes a signal that finished opening, drops one whose connection was lost, and opens one again when due.
    private func settle() async {
        if let pending = opening {
            opening = nil
            switch await pending.value {
            case let .success(opened): listen(opened)
            case let .failure(error): failed(error)
            }
        }
        if signal != nil, listenerEnded.isRaised { await lost(nil) }
        if signal == nil, opening == nil, let reopenAt, ContinuousClock.now >= reopenAt { open() }
    }

    private func listen(_ opened: PostgresChangeSignal) {
        signal = opened
        let ended = StopFlag()
        listenerEnded = ended
        listener = Task { [bell, logger] in
            do { try await opened.listen { bell.ring() } } catch {
                logger.debug("continuous sync: change listener ended: \(String(describing: error))")
            }
            ended.raise()
            // The loop may be waiting a whole poll interval for a notification that can no longer come.
            bell.ring()
        }
        if degraded {
            degraded = false
            logger.notice("continuous sync of \(remoteName): change notifications work again")
        }
    }

    private func failed(_ error: any Error) {
        reopenAt = .now + Self.reopenAfter
        guard !degraded else { return }
        degraded = true
        logger.warning(
            "continuous sync of \(remoteName): change notifications unavailable (\(RemoteDatabaseService.describe(error))); reading every second until they work"
        )
    }

    private func lost(_ error: (any Error)?) async {
        await signal?.close()
        await listener?.value
        signal = nil
        listener = nil
        failed(error ?? SyncError("notifications_lost", "the notification connection was lost"))
    }
}
