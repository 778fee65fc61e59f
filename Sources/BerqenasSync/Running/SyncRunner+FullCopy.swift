import DatabaseConnectors

extension SyncRunner {
    func needsFirstCopy(_ table: TableRun) async throws -> Bool {
        try await journal.cursor(of: table.pair.local, side: .local) == nil
    }

    /// Makes the cloud table equal to the local one: copy in key order (only rows that differ are written),
    /// then delete cloud rows the local table does not have. Resumes from `resume`.
    ///
    /// Capture starts on both tables before the first row is read: local changes made during the copy are
    /// carried by the next run, and cloud edits from then on are tracked (an application may write to
    /// the cloud copy the moment it exists). Cloud edits made while the copy runs are settled at its end,
    /// so the table the copy leaves equals the local one and no stale cloud change is left in the log.
    func fullCopy(
        _ table: inout TableRun, _ result: inout SyncTableResult, _ progress: inout SyncProgress,
        resume: FullCopyCheckpoint?
    ) async throws {
        var checkpoint = resume ?? FullCopyCheckpoint(table: table.pair.local, phase: .copy, afterKey: nil, startCursor: nil)
        if table.write, checkpoint.startCursor == nil {
            try await cloud.installCapture(on: table.pair.cloud, mode: .triggers)
            checkpoint.cloudStartCursor = try await drain(cloud, table.cloud, from: try await journal.cursor(of: table.pair.local, side: .cloud))
            if localCaptureMode == .compare {
                // Nothing is installed on the site: the next run compares the tables.
                checkpoint.startCursor = Self.comparedCursor()
            } else {
                try await local.installCapture(on: table.pair.local, mode: localCaptureMode)
                checkpoint.startCursor = try await drain(local, table.local, from: try await journal.cursor(of: table.pair.local, side: .local))
            }
            try await journal.saveCheckpoint(checkpoint)
        }
        if checkpoint.phase == .copy {
            var after = checkpoint.afterKey
            repeat {
                try await journal.checkCancelled()
                let page = try await local.readSnapshot(table.local, after: after, limit: pageSize)
                let wanted = page.rows.map { NetChange(key: table.local.key(of: $0), before: nil, after: table.local.image(of: $0), capturedAt: "") }
                let existing = table.cloudExists ? try await images(cloud, table.cloud, keys: wanted.map(\.key)) : [:]
                let differing = wanted.filter { !sameRow(existing[$0.key], $0.after) }
                if table.write {
                    try await write(differing, to: .cloud, table.cloud, known: existing, recordUndo: true)
                }
                result.localToCloud += differing.count
                progress.rowsDone += page.rows.count
                after = page.nextKey
                if table.write, let key = after {
                    checkpoint.afterKey = key
                    try await journal.saveCheckpoint(checkpoint)
                }
                try await journal.report(progress: progress, results: [result])
            } while after != nil
            checkpoint.phase = .sweep
            checkpoint.afterKey = nil
            if table.write { try await journal.saveCheckpoint(checkpoint) }
        }
        var after = checkpoint.afterKey
        repeat {
            try await journal.checkCancelled()
            guard table.cloudExists else { break }
            let page = try await cloud.readSnapshot(table.cloud, after: after, limit: pageSize)
            let keys = page.rows.map { table.cloud.key(of: $0) }
            let present = Set(try await local.fetchRows(table.local, keys: keys).map { table.local.key(of: $0) })
            let doomed = page.rows.filter { !present.contains(table.cloud.key(of: $0)) }.map {
                NetChange(key: table.cloud.key(of: $0), before: table.cloud.image(of: $0), after: nil, capturedAt: "")
            }
            if table.write, !doomed.isEmpty {
                let known = Dictionary(doomed.map { ($0.key, $0.before ?? [:]) }, uniquingKeysWith: { first, _ in first })
                try await write(doomed, to: .cloud, table.cloud, known: known, recordUndo: true)
            }
            result.localToCloud += doomed.count
            after = page.nextKey
            if table.write, let key = after {
                checkpoint.afterKey = key
                try await journal.saveCheckpoint(checkpoint)
            }
        } while after != nil
        guard table.write, let start = checkpoint.startCursor else { return }
        if let cloudStart = checkpoint.cloudStartCursor {
            let cloudEnd = try await settleCloudEdits(table, after: cloudStart, &result)
            try await journal.saveCursor(cloudEnd, of: table.pair.local, side: .cloud)
            try await cloud.acknowledge(cloudEnd, of: [table.pair.cloud])
        } else {
            // A copy resumed from a checkpoint of an earlier version: capture starts on the cloud now.
            try await cloud.installCapture(on: table.pair.cloud, mode: .triggers)
            try await journal.saveCursor(try await drain(cloud, table.cloud, from: nil), of: table.pair.local, side: .cloud)
        }
        try await cloud.discardChanges(madeBy: origin, of: [table.pair.cloud])
        try await journal.saveCursor(start, of: table.pair.local, side: .local)
        if localCaptureMode != .compare { try await local.acknowledge(start, of: [table.pair.local]) }
        try await journal.saveCheckpoint(nil)
    }

    /// Makes the rows edited in the cloud since `cursor` (while a copy ran) equal to the local rows again,
    /// and returns the cloud cursor after those edits: a full sync leaves the cloud equal to the local
    /// side, and the edits it overwrote are not carried back later as if they were new.
    private func settleCloudEdits(_ table: TableRun, after cursor: String, _ result: inout SyncTableResult) async throws -> String {
        var cursor = cursor
        while true {
            let batch = try await cloud.readChanges(of: [table.cloud], after: cursor, excludingOrigin: origin, limit: changeBatch)
            var netting = ChangeNetting(table: table.cloud)
            try netting.add(batch.changes)
            let keys = netting.order
            if !keys.isEmpty {
                let wanted = try await images(local, table.local, keys: keys)
                let existing = try await images(cloud, table.cloud, keys: keys)
                let differing = keys.filter { !sameRow(existing[$0], wanted[$0]) || !sameRow(wanted[$0], existing[$0]) }.map {
                    NetChange(key: $0, before: existing[$0], after: wanted[$0], capturedAt: "")
                }
                try await write(differing, to: .cloud, table.cloud, known: existing, recordUndo: true)
                result.localToCloud += differing.count
            }
            cursor = batch.cursor
            if !batch.hasMore { return cursor }
        }
    }

    /// Reads a capture log to its current end (the contents are covered by a snapshot taken after) and
    /// returns the cursor there.
    func drain(_ connector: any DatabaseConnector, _ table: TableSchema, from cursor: String?) async throws -> String {
        var cursor = cursor
        while true {
            let batch = try await connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: changeBatch)
            cursor = batch.cursor
            if !batch.hasMore { return batch.cursor }
        }
    }
}
