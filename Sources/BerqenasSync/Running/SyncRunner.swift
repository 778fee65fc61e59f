import DatabaseConnectors

/// Runs one sync job between a local database and the cloud store, table by table.
///
/// Every write is an idempotent batch (upserts and deletes by key) tagged with `origin`, so the capture
/// readers skip it on the way back, and cursors move only after the batch they cover is written: a job
/// replayed after a crash writes the same rows again and ends in the same state.
public struct SyncRunner: Sendable {
    public let local: any DatabaseConnector
    public let cloud: any DatabaseConnector
    /// The origin marker of this remote database's sync sessions.
    public let origin: String
    public let journal: any SyncJournal
    /// Rows per snapshot page of a full copy.
    public var pageSize = 2_000
    /// Captured changes per read.
    public var changeBatch = 20_000
    /// Descriptions kept between runs (continuous sync); nil: every run describes its tables.
    public var descriptions: TableDescriptions?
    /// How changes are captured on the local side (the cloud store always uses triggers).
    public var localCaptureMode: CaptureMode = .triggers

    /// Creates a runner.
    public init(local: any DatabaseConnector, cloud: any DatabaseConnector, origin: String, journal: any SyncJournal) {
        self.local = local
        self.cloud = cloud
        self.origin = origin
        self.journal = journal
    }

    /// Runs `mode` over the pairs; with `dryRun` reads and plans everything and writes nothing anywhere
    /// (the results say what a real run would do).
    public func run(_ mode: SyncMode, pairs: [SyncTablePair], strategy: ConflictStrategy, dryRun: Bool) async throws -> [SyncTableResult] {
        var progress = SyncProgress(tablesTotal: pairs.count)
        var results: [SyncTableResult] = []
        let resume = try await journal.checkpoint()
        for pair in pairs {
            var result = SyncTableResult(table: pair.local.description)
            let described = try await describe(pair, create: !dryRun)
            progress.rowsTotalEstimate += Int(max(0, described.local.estimatedRowCount ?? 0))
            var table = TableRun(pair: pair, local: described.local, cloud: described.cloud, cloudExists: described.cloudExists,
                                 write: !dryRun)
            switch mode {
            case .full:
                try await fullCopy(&table, &result, &progress, resume: resume?.table == pair.local ? resume : nil)
            case .incremental, .bidirectional:
                // A table never synced starts with a full copy (a dry run stops there: the real run would
                // start tracking changes only after it).
                if try await needsFirstCopy(table) {
                    try await fullCopy(&table, &result, &progress, resume: resume?.table == pair.local ? resume : nil)
                    if dryRun { break }
                }
                if mode == .incremental {
                    try await carryLocalChanges(table, &result, &progress)
                } else {
                    try await exchange(table, strategy: strategy, &result, &progress)
                }
            }
            progress.tablesDone += 1
            results.append(result)
            try await journal.report(progress: progress, results: results)
        }
        return results
    }

    /// Restores the rows of `entries` that still hold what the job wrote; returns the count restored and
    /// the entries left alone because the row changed since.
    public func rollback(_ entries: [UndoEntry], recordingAs journalForUndo: (any SyncJournal)? = nil) async throws -> (restored: Int, changedSince: [UndoEntry]) {
        var restored = 0
        var changedSince: [UndoEntry] = []
        let groups = Dictionary(grouping: entries) { SideTable(side: $0.side, table: $0.table) }
        for (target, group) in groups.sorted(by: { $0.key.table.description < $1.key.table.description }) {
            let connector = target.side == .local ? local : cloud
            let table = try await connector.describeTable(target.table)
            let current = try await images(connector, table, keys: group.map(\.key))
            var changes: [NetChange] = []
            for entry in group {
                if sameRow(current[entry.key], entry.after) {
                    changes.append(NetChange(key: entry.key, before: current[entry.key], after: entry.before, capturedAt: ""))
                } else {
                    changedSince.append(entry)
                }
            }
            try await journal.checkCancelled()
            try await write(changes, to: target.side, table, recordUndo: true)
            restored += changes.count
        }
        return (restored, changedSince)
    }

    // MARK: - Full copy

    /// A table pair as one job sees it.
    struct TableRun {
        var pair: SyncTablePair
        var local: TableSchema
        var cloud: TableSchema
        /// False in a dry run before the cloud table exists (it reads as empty).
        var cloudExists: Bool
        var write: Bool
    }

    private func needsFirstCopy(_ table: TableRun) async throws -> Bool {
        try await journal.cursor(of: table.pair.local, side: .local) == nil
    }

    /// Makes the cloud table equal to the local one: copy in key order (only rows that differ are written),
    /// then delete cloud rows the local table does not have. Resumes from `resume`.
    private func fullCopy(_ table: inout TableRun, _ result: inout SyncTableResult, _ progress: inout SyncProgress,
                          resume: FullCopyCheckpoint?) async throws {
        var checkpoint = resume ?? FullCopyCheckpoint(table: table.pair.local, phase: .copy, afterKey: nil, startCursor: nil)
        if table.write, checkpoint.startCursor == nil {
            try await local.installCapture(on: table.pair.local, mode: localCaptureMode)
            checkpoint.startCursor = try await drain(local, table.local, from: try await journal.cursor(of: table.pair.local, side: .local))
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
        if table.write, let start = checkpoint.startCursor {
            try await journal.saveCursor(start, of: table.pair.local, side: .local)
            try await local.acknowledge(start, of: [table.pair.local])
            try await journal.saveCheckpoint(nil)
        }
    }

    /// Reads a capture log to its current end (the contents are covered by a snapshot taken after) and
    /// returns the cursor there.
    private func drain(_ connector: any DatabaseConnector, _ table: TableSchema, from cursor: String?) async throws -> String {
        var cursor = cursor
        while true {
            let batch = try await connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: changeBatch)
            cursor = batch.cursor
            if !batch.hasMore { return batch.cursor }
        }
    }

    // MARK: - Incremental

    /// Carries the local log to the cloud batch by batch. The next batch is read while the current one
    /// is written (the local database, the hub and the cloud store then work at once).
    private func carryLocalChanges(_ table: TableRun, _ result: inout SyncTableResult, _ progress: inout SyncProgress) async throws {
        // A cursor exists only after a full copy, which installed capture on the local table.
        let start = try await journal.cursor(of: table.pair.local, side: .local)
        var reading: Task<ChangeBatch, any Error>? = readAhead(table.local, after: start)
        do {
            while let current = reading {
                try await journal.checkCancelled()
                let batch = try await current.value
                reading = batch.hasMore ? readAhead(table.local, after: batch.cursor) : nil
                var netting = ChangeNetting(table: table.local)
                try netting.add(batch.changes)
                let changes = netting.effective
                if table.write {
                    try await write(changes, to: .cloud, table.cloud, recordUndo: true)
                    try await journal.saveCursor(batch.cursor, of: table.pair.local, side: .local)
                }
                result.localToCloud += changes.count
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
    }

    /// Starts reading the local changes after `cursor`.
    private func readAhead(_ table: TableSchema, after cursor: String?) -> Task<ChangeBatch, any Error> {
        Task { [local, origin, changeBatch] in
            try await local.readChanges(of: [table], after: cursor, excludingOrigin: origin, limit: changeBatch)
        }
    }

    // MARK: - Bidirectional

    private func exchange(_ table: TableRun, strategy: ConflictStrategy, _ result: inout SyncTableResult,
                          _ progress: inout SyncProgress) async throws {
        var localCursor = try await journal.cursor(of: table.pair.local, side: .local)
        var cloudCursor = try await journal.cursor(of: table.pair.local, side: .cloud)
        if table.write {
            if cloudCursor == nil {
                try await cloud.installCapture(on: table.pair.cloud, mode: .triggers)
                // Cloud edits before the first exchange are not known one by one: the full copy made the
                // cloud equal to the local side, and tracking starts here.
                cloudCursor = try await drain(cloud, table.cloud, from: nil)
                try await journal.saveCursor(cloudCursor!, of: table.pair.local, side: .cloud)
            }
        }
        var more = true
        while more {
            try await journal.checkCancelled()
            let (localChanges, nextLocal, localMore) = try await netChanges(local, table.local, after: localCursor)
            let (cloudChanges, nextCloud, cloudMore) = try await netChanges(cloud, table.cloud, after: cloudCursor)
            let parked = try await journal.parkedKeys(of: table.pair)
            let plan = SyncPlanner.plan(local: localChanges, cloud: cloudChanges, strategy: strategy, parked: parked)
            if table.write {
                try await write(plan.toCloud, to: .cloud, table.cloud, recordUndo: true)
                try await write(plan.toLocal, to: .local, table.local, recordUndo: true)
                if !plan.conflicts.isEmpty { try await journal.recordConflicts(plan.conflicts, of: table.pair) }
                try await journal.saveCursor(nextLocal, of: table.pair.local, side: .local)
                try await journal.saveCursor(nextCloud, of: table.pair.local, side: .cloud)
                try await local.acknowledge(nextLocal, of: [table.pair.local])
                try await cloud.acknowledge(nextCloud, of: [table.pair.cloud])
            }
            result.localToCloud += plan.toCloud.count
            result.cloudToLocal += plan.toLocal.count
            result.conflictsDetected += plan.conflicts.count
            result.conflictsResolved += plan.resolvedConflicts
            result.conflictsOpen += plan.openConflicts
            progress.rowsDone += localChanges.count + cloudChanges.count
            localCursor = nextLocal
            cloudCursor = nextCloud
            more = localMore || cloudMore
        }
    }

    /// Net changes of one side since `cursor` (up to a few batches), the cursor after them, and whether more wait.
    private func netChanges(_ connector: any DatabaseConnector, _ table: TableSchema,
                            after cursor: String?) async throws -> ([NetChange], String, Bool) {
        var netting = ChangeNetting(table: table)
        var cursor = cursor
        for _ in 0..<10 {
            let batch = try await connector.readChanges(of: [table], after: cursor, excludingOrigin: origin, limit: changeBatch)
            try netting.add(batch.changes)
            cursor = batch.cursor
            if !batch.hasMore { return (netting.effective, batch.cursor, false) }
        }
        return (netting.effective, cursor ?? "", true)
    }

    // MARK: - Writing

    private struct SideTable: Hashable {
        var side: SyncSide
        var table: TableRef
    }

    private func connector(_ side: SyncSide) -> any DatabaseConnector { side == .local ? local : cloud }

    /// Current images of the rows with `keys`.
    private func images(_ connector: any DatabaseConnector, _ table: TableSchema, keys: [RowKey]) async throws -> [RowKey: RowImage] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await connector.fetchRows(table, keys: keys)
        return Dictionary(rows.map { (table.key(of: $0), table.image(of: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes each change's `after` image (nil: delete) on one side, journaling the rows it replaces.
    private func write(_ changes: [NetChange], to side: SyncSide, _ table: TableSchema, known: [RowKey: RowImage]? = nil,
                       recordUndo: Bool) async throws {
        guard !changes.isEmpty else { return }
        let target = connector(side)
        if recordUndo, journal.keepsUndo {
            var existing = known ?? [:]
            if known == nil { existing = try await images(target, table, keys: changes.map(\.key)) }
            try await journal.recordUndo(changes.map {
                UndoEntry(side: side, table: table.table, key: $0.key, before: existing[$0.key], after: $0.after)
            })
        }
        // Only the columns the images carry are written: a column that exists on this side alone (added
        // there, with its own default) keeps its value instead of being set to NULL.
        var carried: Set<String> = []
        for change in changes { if let after = change.after { carried.formUnion(after.keys) } }
        var written = table
        written.columns = table.columns.filter { carried.contains($0.name) || table.primaryKey.contains($0.name) }
        let rows: [RowChange] = changes.map { change in
            change.after.map { .upsert(written.row(from: $0)) } ?? .delete(key: change.key)
        }
        try await target.apply(rows, to: written, origin: origin)
    }

    /// Both tables of a pair, from `descriptions` when it holds them.
    private func describe(_ pair: SyncTablePair, create: Bool) async throws -> TableDescriptions.Entry {
        if let known = descriptions?.entry(for: pair) { return known }
        let localTable = try await local.describeTable(pair.local)
        guard localTable.hasPrimaryKey else { throw SyncError.noPrimaryKey(pair.local) }
        let (cloudTable, cloudExists) = try await ensureCloudTable(for: localTable, at: pair.cloud, create: create)
        let entry = TableDescriptions.Entry(local: localTable, cloud: cloudTable, cloudExists: cloudExists, describedAt: .now)
        descriptions?.remember(entry, for: pair)
        return entry
    }

    /// The cloud table for a local one: described when it exists, created from the local description
    /// (through the type map) when it does not and `create` allows.
    private func ensureCloudTable(for localTable: TableSchema, at ref: TableRef, create: Bool) async throws -> (TableSchema, Bool) {
        if try await cloud.listTables(schema: ref.schema).contains(ref) {
            let existing = try await cloud.describeTable(ref)
            guard existing.primaryKey.count == localTable.primaryKey.count else {
                throw SyncError("key_mismatch", "cloud table \(ref) has a different primary key than \(localTable.table)")
            }
            return (existing, true)
        }
        let planned = TableSchema(table: ref, columns: localTable.columns.map { column in
            var copy = column
            copy.nativeType = ""
            copy.defaultExpression = nil
            copy.isIdentity = false
            copy.isGenerated = false
            return copy
        }, primaryKey: localTable.primaryKey)
        guard create else { return (planned, false) }
        try await cloud.createTable(planned)
        return (try await cloud.describeTable(ref), true)
    }
}
