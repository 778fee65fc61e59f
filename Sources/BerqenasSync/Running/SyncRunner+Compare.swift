import DatabaseConnectors
import Foundation

extension SyncRunner {
    /// The local cursor of a table synced in the compare capture mode: when it was last compared.
    static func comparedCursor() -> String { "compared:" + CaptureInstant.text(Date()) }

    /// Carries what the logs hold (`incremental` one way, `bidirectional` both). When the site's change
    /// tracking no longer reaches back to the cursor (SQL Server cleaned it up), nothing it lost is assumed
    /// away: the table is compared as in the compare capture mode, and the next run reads the log from where
    /// it stood before the comparison (the result's `errors` says so).
    func carryChanges(_ mode: SyncMode, _ table: TableRun, strategy: ConflictStrategy, _ result: inout SyncTableResult,
                      _ progress: inout SyncProgress) async throws {
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

    /// Carries the local side's differences to the cloud by comparing the tables: nothing is installed on
    /// the local database (the compare capture mode), or its change log no longer reaches back to the cursor
    /// (`localCursor` is then where the log is read from next).
    ///
    /// Without a log on the local side, a row that differs could have changed on either side; the cloud's
    /// log (read to its end and consumed) tells which cloud rows changed since the last run. Those rows
    /// are conflicts, never overwritten silently: `local_wins` and `latest_wins` write the site's row and
    /// keep the cloud's in the conflict's record; `cloud_wins` and `manual` park them (a one-way run cannot
    /// bring the cloud's row to the site, and a parked row is left alone until someone resolves it). Other
    /// differing rows changed on the site and are written, each checked against the cloud row as it is then.
    func carryByComparison(_ table: TableRun, strategy: ConflictStrategy, _ result: inout SyncTableResult,
                           _ progress: inout SyncProgress, localCursor: String? = nil) async throws {
        let (report, differences, comparedCursor) = try await differencesToCarry(table)
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
        let parked = try await journal.parkedKeys(of: table.pair)
        let stamp = CaptureInstant.text(Date())
        var conflicts: [PlannedConflict] = []
        var changes: [NetChange] = []
        for difference in differences where !parked.contains(difference.key) {
            guard let cloudChange = cloudChanged[difference.key] else {
                changes.append(NetChange(key: difference.key, before: difference.cloud, after: difference.local, capturedAt: stamp))
                continue
            }
            let siteWins = strategy == .localWins || strategy == .latestWins
            conflicts.append(PlannedConflict(key: difference.key, base: cloudChange.before, local: difference.local, cloud: difference.cloud,
                                             localCapturedAt: stamp, cloudCapturedAt: cloudChange.capturedAt,
                                             winner: siteWins ? .local : nil, changedOn: [.local, .cloud]))
            if siteWins {
                changes.append(NetChange(key: difference.key, before: difference.cloud, after: difference.local, capturedAt: stamp))
            }
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
        guard table.write else { return }
        try await journal.saveCursor(localCursor ?? comparedCursor, of: table.pair.local, side: .local)
        if let cloudCursor {
            try await journal.saveCursor(cloudCursor, of: table.pair.local, side: .cloud)
            try await cloud.acknowledge(cloudCursor, of: [table.pair.cloud])
        }
        try await cloud.discardChanges(madeBy: origin, of: [table.pair.cloud])
    }
}
