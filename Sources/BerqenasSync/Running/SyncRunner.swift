import DatabaseConnectors

/// Runs one sync job between a local database and the cloud store, table by table.
///
/// Every write is an idempotent batch (upserts and deletes by key) tagged with `origin`, so the capture
/// readers skip it on the way back, and cursors move only after the batch they cover is written: a job
/// replayed after a crash writes the same rows again and ends in the same state.
package struct SyncRunner: Sendable {
    package let local: any DatabaseConnector
    package let cloud: any DatabaseConnector
    /// The origin marker of this remote database's sync sessions.
    package let origin: String
    package let journal: any SyncJournal
    /// Rows per snapshot page of a full copy.
    package var pageSize = 2_000
    /// Captured changes per read.
    package var changeBatch = 20_000
    /// Descriptions kept between runs (continuous sync); nil: every run describes its tables.
    package var descriptions: TableDescriptions?
    /// How changes are captured on the local side (the cloud store always uses triggers).
    package var localCaptureMode: CaptureMode = .triggers
    /// In the compare capture mode, a column that rises whenever a row changes (`updated_at`, `rowversion`):
    /// runs compare only the rows it says changed, and the keys for added and removed rows.
    package var localWatermark: String?

    /// Creates a runner.
    package init(local: any DatabaseConnector, cloud: any DatabaseConnector, origin: String, journal: any SyncJournal) {
        self.local = local
        self.cloud = cloud
        self.origin = origin
        self.journal = journal
    }

    /// Runs `mode` over the pairs; with `dryRun` reads and plans everything and writes nothing anywhere
    /// (the results say what a real run would do).
    /// A verify run writes only with `repair`, and creates no cloud table.
    package func run(
        _ mode: SyncMode, pairs: [SyncTablePair], strategy: ConflictStrategy, dryRun: Bool,
        repair: Bool = false
    ) async throws -> [SyncTableResult] {
        var progress = SyncProgress(tablesTotal: pairs.count)
        var results: [SyncTableResult] = []
        let resume = try await journal.checkpoint()
        let writes = !dryRun && (mode != .verify || repair)
        for pair in pairs {
            var result = SyncTableResult(table: pair.local.description)
            let described = try await describe(pair, create: writes && mode != .verify)
            progress.rowsTotalEstimate += Int(max(0, described.local.estimatedRowCount ?? 0))
            var table = TableRun(
                pair: pair, local: described.local, cloud: described.cloud, cloudExists: described.cloudExists,
                write: writes)
            switch mode {
            case .verify:
                result.verification = try await verify(table, repair: repair ? strategy : nil, &result)
            case .full:
                try await fullCopy(&table, &result, &progress, resume: resume?.table == pair.local ? resume : nil)
            case .incremental, .bidirectional:
                // A table never synced starts with a full copy (a dry run stops there: the real run would
                // start tracking changes only after it).
                if try await needsFirstCopy(table) {
                    try await fullCopy(&table, &result, &progress, resume: resume?.table == pair.local ? resume : nil)
                    if dryRun { break }
                }
                if localCaptureMode == .compare {
                    try await carryByComparison(table, strategy: strategy, twoWay: mode == .bidirectional, &result, &progress)
                } else {
                    try await carryChanges(mode, table, strategy: strategy, &result, &progress)
                }
            }
            progress.tablesDone += 1
            results.append(result)
            try await journal.report(progress: progress, results: results)
        }
        return results
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

    // MARK: - Writing

    struct SideTable: Hashable {
        var side: SyncSide
        var table: TableRef
    }

    func connector(_ side: SyncSide) -> any DatabaseConnector { side == .local ? local : cloud }

    /// Current images of the rows with `keys`.
    func images(_ connector: any DatabaseConnector, _ table: TableSchema, keys: [RowKey]) async throws -> [RowKey: RowImage] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await connector.fetchRows(table, keys: keys)
        return Dictionary(rows.map { (table.key(of: $0), table.image(of: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes each change's `after` image (nil: delete) on one side, journaling the rows it replaces.
    func write(
        _ changes: [NetChange], to side: SyncSide, _ table: TableSchema, known: [RowKey: RowImage]? = nil,
        recordUndo: Bool
    ) async throws {
        guard !changes.isEmpty else { return }
        let target = connector(side)
        if recordUndo, journal.keepsUndo {
            var existing = known ?? [:]
            if known == nil { existing = try await images(target, table, keys: changes.map(\.key)) }
            try await journal.recordUndo(
                changes.map {
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
        // A site in the compare mode captures nothing, so nothing there needs to know the write is ours (and
        // marking it would leave an object on the site: SQLite keeps the mark in a table).
        try await target.apply(rows, to: written, origin: side == .local && localCaptureMode == .compare ? nil : origin)
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
        let planned = TableSchema(
            table: ref,
            columns: localTable.columns.map { column in
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
