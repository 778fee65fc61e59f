import DatabaseConnectors
import Foundation

extension SyncRunner {
    /// The local cursor of a table synced in the compare capture mode: when it was last compared.
    static func comparedCursor() -> String { "compared:" + CaptureInstant.text(Date()) }

    /// Carries what the logs hold (`incremental` one way, `bidirectional` both). When the site's change
    /// tracking no longer reaches back to the cursor (SQL Server cleaned it up), nothing it lost is assumed
    /// away: the table is compared as in the compare capture mode, and the next run reads the log from where
    /// it stood before the comparison (the result's `errors` says so).
    func carryChanges(
        _ mode: SyncMode, _ table: TableRun, strategy: ConflictStrategy, _ result: inout SyncTableResult,
        _ progress: inout SyncProgress
    ) async throws {
        do {
            if mode == .incremental {
                try await carryLocalChanges(table, strategy: strategy, &result, &progress)
            } else {
                try await exchange(table, strategy: strategy, &result, &progress)
            }
        } catch let error as ConnectorError where error.code == .captureExpired {
            result.errors.append("\(error.code.rawValue): \(error.message); the table was compared instead")
            let resumeAt = try await drain(local, table.local, from: nil)
            try await carryByComparison(table, strategy: strategy, &result, &progress, localCursor: resumeAt)
        }
    }

    /// Carries the differences between the tables, found by comparing them: nothing is installed on the
    /// local database (the compare capture mode), or its change log no longer reaches back to the cursor
    /// (`localCursor` is then where the log is read from next).
    ///
    /// Without a log on the local side, a row that differs could have changed on either side; the cloud's
    /// log (read to its end and consumed) tells which cloud rows changed since the last run, and holds each
    /// such row as it was before (as both sides left it). A differing row the cloud did not change changed on
    /// the site and is written to the cloud. One the cloud changed, with the site still holding the row as it
    /// was, is written to the site in a `twoWay` (bidirectional) run. Any other changed on both sides: a
    /// conflict, never a silent overwrite: `local_wins` and `latest_wins` write the site's row and keep the
    /// cloud's in the conflict's record; `cloud_wins` writes the cloud's row to the site (one way, where that
    /// cannot be done, it parks the row, as `manual` does; a parked row is left alone until resolved). Each
    /// write is checked against the row as it is then.
    func carryByComparison(
        _ table: TableRun, strategy: ConflictStrategy, twoWay: Bool = false, _ result: inout SyncTableResult,
        _ progress: inout SyncProgress, localCursor: String? = nil
    ) async throws {
        let (report, found, comparedCursor) = try await differencesToCarry(table)
        progress.rowsDone += report.localRows
        // Read after the comparison: every cloud edit the comparison may have seen is in this part of the
        // log (one made since is caught by the check before each write).
        var cloudChanged: [RowKey: NetChange] = [:]
        var cloudCursor = try await journal.cursor(of: table.pair.local, side: .cloud)
        var more = cloudCursor != nil
        while more {
            let (changes, next, hasMore) = try await netChanges(cloud, table.cloud, after: cloudCursor)
            for change in changes where cloudChanged[change.key] == nil { cloudChanged[change.key] = change }
            cloudCursor = next
            more = hasMore
        }
        // A row edited in the cloud after the comparison, or one the watermark did not point at, is compared
        // now: the log is consumed here, and a cloud edit it held must not pass unseen.
        let seen = Set(found.map(\.key))
        let differences = try await found + differingRows(table, keys: cloudChanged.keys.filter { !seen.contains($0) })
        let parked = try await journal.parkedKeys(of: table.pair)
        let stamp = CaptureInstant.text(Date())
        var conflicts: [PlannedConflict] = []
        var changes: [NetChange] = []
        var toSite: [NetChange] = []
        for difference in differences where !parked.contains(difference.key) {
            let fromSite = NetChange(key: difference.key, before: difference.cloud, after: difference.local, capturedAt: stamp)
            guard let cloudChange = cloudChanged[difference.key] else {
                changes.append(fromSite)
                continue
            }
            let fromCloud = NetChange(key: difference.key, before: difference.local, after: difference.cloud, capturedAt: cloudChange.capturedAt)
            // The cloud's log holds the row as it was before its edit: as both sides left it at the last run.
            // A site still holding that row did not change it.
            if twoWay, sameRow(difference.local, cloudChange.before), sameRow(cloudChange.before, difference.local) {
                toSite.append(fromCloud)
                continue
            }
            let winner: SyncSide? =
                switch strategy {
                case .localWins, .latestWins: .local
                case .cloudWins: twoWay ? .cloud : nil
                case .manual: nil
                }
            conflicts.append(
                PlannedConflict(
                    key: difference.key, base: cloudChange.before, local: difference.local, cloud: difference.cloud,
                    localCapturedAt: stamp, cloudCapturedAt: cloudChange.capturedAt,
                    winner: winner, changedOn: [.local, .cloud]))
            if winner == .local { changes.append(fromSite) } else if winner == .cloud { toSite.append(fromCloud) }
        }
        if table.write, !conflicts.isEmpty { try await journal.recordConflicts(conflicts, of: table.pair) }
        result.count(conflicts)
        for batch in changes.chunked(pageSize) {
            try await journal.checkCancelled()
            let guarded = try await guardWrites(Array(batch), to: .cloud, table.cloud, strategy: strategy, unloggedSideWinsLatest: false)
            if table.write {
                try await write(guarded.write, to: .cloud, table.cloud, known: guarded.current, recordUndo: true)
                if !guarded.conflicts.isEmpty { try await journal.recordConflicts(guarded.conflicts, of: table.pair) }
            }
            result.localToCloud += guarded.write.count
            result.count(guarded.conflicts)
        }
        for batch in toSite.chunked(pageSize) {
            try await journal.checkCancelled()
            // The site's row is checked as it is now: one changed since the comparison is a conflict too.
            let guarded = try await guardWrites(Array(batch), to: .local, table.local, strategy: strategy, unloggedSideWinsLatest: true)
            if table.write {
                try await write(guarded.write, to: .local, table.local, known: guarded.current, recordUndo: true)
                try await write(guarded.back, to: .cloud, table.cloud, recordUndo: true)
                if !guarded.conflicts.isEmpty { try await journal.recordConflicts(guarded.conflicts, of: table.pair) }
            }
            result.cloudToLocal += guarded.write.count
            result.localToCloud += guarded.back.count
            result.count(guarded.conflicts)
        }
        guard table.write else { return }
        try await journal.saveCursor(localCursor ?? comparedCursor, of: table.pair.local, side: .local)
        if let cloudCursor {
            try await journal.saveCursor(cloudCursor, of: table.pair.local, side: .cloud)
            try await cloud.acknowledge(cloudCursor, of: [table.pair.cloud])
        }
        try await cloud.discardChanges(madeBy: origin, of: [table.pair.cloud])
    }
}
