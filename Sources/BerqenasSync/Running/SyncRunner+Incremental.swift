import DatabaseConnectors

extension SyncRunner {
    /// Carries the local log to the cloud batch by batch. The next batch is read while the current one
    /// is written (the local database, the hub and the cloud store then work at once).
    ///
    /// A one-way run: a cloud row edited since it was last synced is not overwritten silently. The edit
    /// and the local change become a conflict: `manual` parks it, `cloud_wins` keeps the cloud's row (the
    /// next bidirectional run brings it to the local side), `local_wins` and `latest_wins` write the local
    /// change and keep the cloud's version in the conflict's record.
    func carryLocalChanges(
        _ table: TableRun, strategy: ConflictStrategy, _ result: inout SyncTableResult,
        _ progress: inout SyncProgress
    ) async throws {
        // A cursor exists only after a full copy, which installed capture on the local table. A cloud table
        // synced before the cloud was captured gets capture now (its first bidirectional run compares it).
        let start = try await journal.cursor(of: table.pair.local, side: .local)
        if table.write, try await journal.cursor(of: table.pair.local, side: .cloud) == nil {
            try await cloud.installCapture(on: table.pair.cloud, mode: .triggers)
        }
        var reading: Task<ChangeBatch, any Error>? = readAhead(table.local, after: start)
        var wrote = false
        do {
            while let current = reading {
                try await journal.checkCancelled()
                let batch = try await current.value
                reading = batch.hasMore ? readAhead(table.local, after: batch.cursor) : nil
                // Nothing to carry (the common idle read of continuous sync): no conflict to look up and no
                // cursor to save, as the old one reads the same. The log is still pruned below.
                if batch.changes.isEmpty {
                    if !batch.hasMore, table.write { try await local.acknowledge(batch.cursor, of: [table.pair.local]) }
                    continue
                }
                var netting = ChangeNetting(table: table.local)
                try netting.add(batch.changes)
                let parked = try await journal.parkedKeys(of: table.pair)
                let changes = netting.effective.filter { !parked.contains($0.key) }
                let guarded = try await guardWrites(changes, to: .cloud, table.cloud, strategy: strategy, unloggedSideWinsLatest: false)
                if table.write {
                    try await write(guarded.write, to: .cloud, table.cloud, known: guarded.current, recordUndo: true)
                    if !guarded.conflicts.isEmpty { try await journal.recordConflicts(guarded.conflicts, of: table.pair) }
                    let parkedNow = netting.effective.filter { parked.contains($0.key) }
                    if !parkedNow.isEmpty {
                        try await journal.recordConflicts(
                            SyncPlanner.plan(local: parkedNow, cloud: [], strategy: .manual, parked: parked).conflicts,
                            of: table.pair)
                    }
                    try await journal.saveCursor(batch.cursor, of: table.pair.local, side: .local)
                    wrote = wrote || !guarded.write.isEmpty
                }
                result.localToCloud += guarded.write.count
                result.count(guarded.conflicts)
                progress.rowsDone += batch.changes.count
                if !batch.hasMore {
                    // Pruning scans the log, so it runs once the log is drained, not after every batch (a
                    // job stopped before this point leaves delivered rows behind its saved cursor; they are
                    // pruned by the next run).
                    if table.write { try await local.acknowledge(batch.cursor, of: [table.pair.local]) }
                }
            }
        } catch {
            // A read still running finishes before the job reports (it holds a pooled connection).
            _ = await reading?.result
            throw error
        }
        if wrote { try await cloud.discardChanges(madeBy: origin, of: [table.pair.cloud]) }
    }

    /// Starts reading the local changes after `cursor`.
    private func readAhead(_ table: TableSchema, after cursor: String?) -> Task<ChangeBatch, any Error> {
        Task { [local, origin, changeBatch] in
            try await local.readChanges(of: [table], after: cursor, excludingOrigin: origin, limit: changeBatch)
        }
    }
}

extension SyncTableResult {
    /// Counts conflicts found this run.
    mutating func count(_ conflicts: [PlannedConflict]) {
        conflictsDetected += conflicts.count
        conflictsResolved += conflicts.filter { $0.winner != nil }.count
        conflictsOpen += conflicts.filter { $0.winner == nil }.count
    }
}
