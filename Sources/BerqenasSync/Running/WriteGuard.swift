import DatabaseConnectors
import Foundation

/// Planned writes to one side, checked against that side's rows as they are now.
struct GuardedWrites {
    /// Changes to write on the target side.
    var write: [NetChange] = []
    /// Changes to write on the other side: the target's own version won a conflict found here.
    var back: [NetChange] = []
    var conflicts: [PlannedConflict] = []
    /// The target's rows as read (what the undo journal records as the rows before the write).
    var current: [RowKey: RowImage] = [:]
}

extension SyncRunner {
    /// Checks each planned write against the target row now: a row already equal to the change's result
    /// needs nothing; one still as the change found it (`before`) is written; any other row was changed
    /// on the target in a way the logs read by this run do not show (by a one-way run, a write since the
    /// log was read, an edit made before capture), so the two versions are a conflict settled by
    /// `strategy`, never a silent overwrite. Under `latest_wins` such an unlogged change counts as the
    /// later one when `unloggedSideWinsLatest` (it was made after the log was read), else the carried
    /// change wins.
    func guardWrites(
        _ changes: [NetChange], to side: SyncSide, _ table: TableSchema, strategy: ConflictStrategy,
        unloggedSideWinsLatest: Bool
    ) async throws -> GuardedWrites {
        var guarded = GuardedWrites()
        guard !changes.isEmpty else { return guarded }
        guarded.current = try await images(connector(side), table, keys: changes.map(\.key))
        let source: SyncSide = side == .cloud ? .local : .cloud
        let stamp = CaptureInstant.text(Date())
        for change in changes {
            let now = guarded.current[change.key]
            if sameRow(change.after, now), sameRow(now, change.after) { continue }
            if sameRow(change.before, now), sameRow(now, change.before) {
                guarded.write.append(change)
                continue
            }
            let winner: SyncSide? =
                switch strategy {
                case .manual: nil
                case .cloudWins: .cloud
                case .localWins: .local
                case .latestWins: unloggedSideWinsLatest ? side : source
                }
            let theirs = side == .cloud ? (local: change.after, cloud: now) : (local: now, cloud: change.after)
            let times = side == .cloud ? (local: change.capturedAt, cloud: stamp) : (local: stamp, cloud: change.capturedAt)
            guarded.conflicts.append(
                PlannedConflict(
                    key: change.key, base: change.before, local: theirs.local, cloud: theirs.cloud,
                    localCapturedAt: times.local, cloudCapturedAt: times.cloud, winner: winner, changedOn: [.local, .cloud]))
            if winner == source {
                guarded.write.append(NetChange(key: change.key, before: now, after: change.after, capturedAt: change.capturedAt))
            } else if winner == side {
                guarded.back.append(NetChange(key: change.key, before: change.after, after: now, capturedAt: stamp))
            }
        }
        return guarded
    }
}
