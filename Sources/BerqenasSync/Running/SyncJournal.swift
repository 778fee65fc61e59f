import DatabaseConnectors

/// What a sync job does.
public enum SyncMode: String, Sendable, Codable, CaseIterable {
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
public struct SyncTablePair: Sendable, Hashable, Codable {
    public var local: TableRef
    public var cloud: TableRef

    /// Creates a pair.
    public init(local: TableRef, cloud: TableRef) {
        self.local = local
        self.cloud = cloud
    }
}

/// The outcome of one table in a job.
public struct SyncTableResult: Sendable, Hashable, Codable {
    public var table: String
    public var cloudToLocal = 0
    public var localToCloud = 0
    public var conflictsDetected = 0
    public var conflictsResolved = 0
    public var conflictsOpen = 0
    public var errors: [String] = []
    /// What a verification found (verify jobs).
    public var verification: TableVerification?

    /// Creates an empty result for `table`.
    public init(table: String) {
        self.table = table
    }
}

/// How far a job is.
public struct SyncProgress: Sendable, Hashable, Codable {
    public var tablesDone = 0
    public var tablesTotal = 0
    public var rowsDone = 0
    public var rowsTotalEstimate = 0

    /// Creates progress.
    public init(tablesTotal: Int = 0) {
        self.tablesTotal = tablesTotal
    }
}

/// How to undo one row change: the row as it was on `side` before the job wrote it, and what the job
/// wrote (nil: deleted). Rollback restores `before` only where the row still equals `after`.
public struct UndoEntry: Sendable, Hashable {
    public var side: SyncSide
    /// That side's table.
    public var table: TableRef
    public var key: RowKey
    public var before: RowImage?
    public var after: RowImage?

    /// Creates an entry.
    public init(side: SyncSide, table: TableRef, key: RowKey, before: RowImage?, after: RowImage?) {
        self.side = side
        self.table = table
        self.key = key
        self.before = before
        self.after = after
    }
}

/// Where a full copy stands, so a job that stopped half-way resumes instead of starting over.
public struct FullCopyCheckpoint: Sendable, Hashable, Codable {
    public enum Phase: String, Sendable, Codable { case copy, sweep }
    /// The local table being copied.
    public var table: TableRef
    public var phase: Phase
    /// The last key done in this phase (nil: none yet).
    public var afterKey: RowKey?
    /// The local capture cursor taken before the copy began: changes after it are carried next run.
    public var startCursor: String?
    /// The cloud capture cursor taken then: cloud edits after it are settled when the copy ends.
    public var cloudStartCursor: String?

    /// Creates a checkpoint.
    public init(table: TableRef, phase: Phase, afterKey: RowKey?, startCursor: String?, cloudStartCursor: String? = nil) {
        self.table = table
        self.phase = phase
        self.afterKey = afterKey
        self.startCursor = startCursor
        self.cloudStartCursor = cloudStartCursor
    }
}

/// Where a running job keeps its state (the system database, in the hub). Every call is durable when
/// it returns: a job restarted after a crash reads back cursors and checkpoints and carries on.
public protocol SyncJournal: Sendable {
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
