import DatabaseConnectors

/// What a sync job does.
package enum SyncMode: String, Sendable, Codable, CaseIterable {
    /// Create missing cloud tables and make each equal to its local table.
    case full
    /// Carry local changes to the cloud since the last run.
    case incremental
    /// Carry changes both ways, settling rows changed on both sides.
    case bidirectional
    /// Compare both sides without writing (with repair: then carry the differences).
    case verify
}

/// A local table and the cloud table it is kept in step with.
package struct SyncTablePair: Sendable, Hashable, Codable {
    package var local: TableRef
    package var cloud: TableRef

    /// Creates a pair.
    package init(local: TableRef, cloud: TableRef) {
        self.local = local
        self.cloud = cloud
    }
}

/// The outcome of one table in a job.
package struct SyncTableResult: Sendable, Hashable, Codable {
    package var table: String
    package var cloudToLocal = 0
    package var localToCloud = 0
    package var conflictsDetected = 0
    package var conflictsResolved = 0
    package var conflictsOpen = 0
    package var errors: [String] = []
    /// What a verification found (verify jobs).
    package var verification: TableVerification?

    /// Creates an empty result for `table`.
    package init(table: String) {
        self.table = table
    }
}

/// How far a job is.
package struct SyncProgress: Sendable, Hashable, Codable {
    package var tablesDone = 0
    package var tablesTotal = 0
    package var rowsDone = 0
    package var rowsTotalEstimate = 0

    /// Creates progress.
    package init(tablesTotal: Int = 0) {
        self.tablesTotal = tablesTotal
    }
}

/// How to undo one row change: the row as it was on `side` before the job wrote it, and what the job
/// wrote (nil: deleted). Rollback restores `before` only where the row still equals `after`.
package struct UndoEntry: Sendable, Hashable {
    package var side: SyncSide
    /// That side's table.
    package var table: TableRef
    package var key: RowKey
    package var before: RowImage?
    package var after: RowImage?

    /// Creates an entry.
    package init(side: SyncSide, table: TableRef, key: RowKey, before: RowImage?, after: RowImage?) {
        self.side = side
        self.table = table
        self.key = key
        self.before = before
        self.after = after
    }
}

/// Where a full copy stands, so a job that stopped half-way resumes instead of starting over.
package struct FullCopyCheckpoint: Sendable, Hashable, Codable {
    package enum Phase: String, Sendable, Codable { case copy, sweep }
    /// The local table being copied.
    package var table: TableRef
    package var phase: Phase
    /// The last key done in this phase (nil: none yet).
    package var afterKey: RowKey?
    /// The local capture cursor taken before the copy began: changes after it are carried next run.
    package var startCursor: String?
    /// The cloud capture cursor taken then: cloud edits after it are settled when the copy ends.
    package var cloudStartCursor: String?

    /// Creates a checkpoint.
    package init(table: TableRef, phase: Phase, afterKey: RowKey?, startCursor: String?, cloudStartCursor: String? = nil) {
        self.table = table
        self.phase = phase
        self.afterKey = afterKey
        self.startCursor = startCursor
        self.cloudStartCursor = cloudStartCursor
    }
}

/// Where a running job keeps its state (the system database, in the hub). Every call is durable when
/// it returns: a job restarted after a crash reads back cursors and checkpoints and carries on.
package protocol SyncJournal: Sendable {
    /// Whether the runner should keep undo images (jobs do; continuous sync does not).
    var keepsUndo: Bool { get }
    /// A side's capture cursor for a table pair (keyed by the local table); nil before its first sync.
    func cursor(of table: TableRef, side: SyncSide) async throws -> String?
    func saveCursor(_ cursor: String, of table: TableRef, side: SyncSide) async throws
    func checkpoint() async throws -> FullCopyCheckpoint?
    func saveCheckpoint(_ checkpoint: FullCopyCheckpoint?) async throws
    /// Keeps undo images; the first image kept for a row wins (a replayed batch does not overwrite it).
    func recordUndo(_ entries: [UndoEntry]) async throws
    /// Keys of a table pair's open (parked) conflicts.
    func parkedKeys(of table: SyncTablePair) async throws -> Set<RowKey>
    func recordConflicts(_ conflicts: [PlannedConflict], of table: SyncTablePair) async throws
    func report(progress: SyncProgress, results: [SyncTableResult]) async throws
    /// Throws `SyncStop` once someone cancelled the job or the server is stopping.
    func checkCancelled() async throws
}
