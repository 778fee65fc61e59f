/// How changes of a table are captured.
public enum CaptureMode: String, Sendable, Codable, CaseIterable {
    /// Row triggers write into a log table (PostgreSQL, SQL Server, SQLite).
    case triggers
    /// SQL Server change tracking: keys and versions, values read by joining the table.
    case changeTracking = "change_tracking"
    /// Nothing installed on the database: each run compares the tables by key-range digests.
    case compare
}

/// Capture state of one table.
public struct CaptureStatus: Sendable, Hashable, Codable {
    public var installed: Bool
    public var mode: CaptureMode?
    /// Logged changes not yet acknowledged.
    public var pendingChanges: Int

    /// Creates a status.
    public init(installed: Bool, mode: CaptureMode?, pendingChanges: Int) {
        self.installed = installed
        self.mode = mode
        self.pendingChanges = pendingChanges
    }
}

/// What happened to a row.
public enum ChangeOperation: String, Sendable, Codable {
    case insert = "I"
    case update = "U"
    case delete = "D"
    /// The whole table was emptied (statement-level); no row images.
    case truncate = "T"
}

/// One captured change with its row images, keyed by column name.
public struct ChangeRecord: Sendable, Hashable {
    /// Log position (monotonic within one database, not commit order).
    public var sequence: Int64
    public var table: TableRef
    public var operation: ChangeOperation
    /// The row after the change (insert, update).
    public var newRow: [String: CanonicalValue]?
    /// The row before the change (update, delete).
    public var oldRow: [String: CanonicalValue]?
    /// Capture time, ISO 8601 with offset.
    public var capturedAt: String
    /// The origin marker of the session that made the change, if any.
    public var origin: String?
    /// Columns present in the image but not in the table description the reader was given (a column
    /// added since); their values travel as text.
    public var unknownColumns: [String]

    /// Creates a record.
    public init(sequence: Int64, table: TableRef, operation: ChangeOperation, newRow: [String: CanonicalValue]?,
                oldRow: [String: CanonicalValue]?, capturedAt: String, origin: String?, unknownColumns: [String] = []) {
        self.sequence = sequence
        self.table = table
        self.operation = operation
        self.newRow = newRow
        self.oldRow = oldRow
        self.capturedAt = capturedAt
        self.origin = origin
        self.unknownColumns = unknownColumns
    }
}

/// A run of changes and the cursor after them.
public struct ChangeBatch: Sendable {
    public var changes: [ChangeRecord]
    /// Pass to the next `readChanges`, and to `acknowledge` once the changes are applied.
    public var cursor: String
    /// Whether more changes are ready right away.
    public var hasMore: Bool

    /// Creates a batch.
    public init(changes: [ChangeRecord], cursor: String, hasMore: Bool) {
        self.changes = changes
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

/// Whether a table can use a capture mode, and why not.
public struct CaptureSupport: Sendable, Hashable {
    public var mode: CaptureMode
    /// Nil when the mode can be used.
    public var unsupportedBecause: String?

    /// Every mode for `table` on `engine`.
    public static func modes(for table: TableSchema, engine: DatabaseEngine) -> [CaptureSupport] {
        let shared: String? = table.kind != .table ? "a \(table.kind.rawValue) is not a table"
            : table.hasPrimaryKey ? nil : "no primary key: rows cannot be matched between the sides"
        return [
            CaptureSupport(mode: .triggers, unsupportedBecause: shared),
            CaptureSupport(mode: .changeTracking, unsupportedBecause: engine != .mssql ? "change tracking exists on SQL Server only" : shared),
            CaptureSupport(mode: .compare, unsupportedBecause: shared),
        ]
    }
}
