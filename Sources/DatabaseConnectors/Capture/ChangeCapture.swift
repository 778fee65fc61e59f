/// How changes of a table are captured.
package enum CaptureMode: String, Sendable, Codable, CaseIterable {
    /// Row triggers write into a log table (PostgreSQL, SQL Server, SQLite).
    case triggers
    /// SQL Server change tracking: keys and versions, values read by joining the table.
    case changeTracking = "change_tracking"
    /// Nothing installed on the database: each run compares the tables by key-range digests.
    case compare
}

/// Capture state of one table.
package struct CaptureStatus: Sendable, Hashable, Codable {
    package var installed: Bool
    package var mode: CaptureMode?
    /// Logged changes not yet acknowledged.
    package var pendingChanges: Int

    /// Creates a status.
    package init(installed: Bool, mode: CaptureMode?, pendingChanges: Int) {
        self.installed = installed
        self.mode = mode
        self.pendingChanges = pendingChanges
    }
}

/// What happened to a row.
package enum ChangeOperation: String, Sendable, Codable {
    case insert = "I"
    case update = "U"
    case delete = "D"
    /// The whole table was emptied (statement-level); no row images.
    case truncate = "T"
}

/// One captured change with its row images, keyed by column name.
package struct ChangeRecord: Sendable, Hashable {
    /// Log position (monotonic within one database, not commit order).
    package var sequence: Int64
    package var table: TableRef
    package var operation: ChangeOperation
    /// The row after the change (insert, update).
    package var newRow: [String: CanonicalValue]?
    /// The row before the change (update, delete).
    package var oldRow: [String: CanonicalValue]?
    /// Capture time, ISO 8601 with offset.
    package var capturedAt: String
    /// The origin marker of the session that made the change, if any.
    package var origin: String?
    /// Columns present in the image but not in the table description the reader was given (a column
    /// added since); their values travel as text.
    package var unknownColumns: [String]

    /// Creates a record.
    package init(
        sequence: Int64, table: TableRef, operation: ChangeOperation, newRow: [String: CanonicalValue]?,
        oldRow: [String: CanonicalValue]?, capturedAt: String, origin: String?, unknownColumns: [String] = []
    ) {
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
package struct ChangeBatch: Sendable {
    package var changes: [ChangeRecord]
    /// Pass to the next `readChanges`, and to `acknowledge` once the changes are applied.
    package var cursor: String
    /// Whether more changes are ready right away.
    package var hasMore: Bool

    /// Creates a batch.
    package init(changes: [ChangeRecord], cursor: String, hasMore: Bool) {
        self.changes = changes
        self.cursor = cursor
        self.hasMore = hasMore
    }
}

/// Whether a table can use a capture mode, and why not.
package struct CaptureSupport: Sendable, Hashable {
    package var mode: CaptureMode
    /// Nil when the mode can be used.
    package var unsupportedBecause: String?

    /// Every mode for `table` on `engine`.
    package static func modes(for table: TableSchema, engine: DatabaseEngine) -> [CaptureSupport] {
        let shared: String? =
            table.kind != .table
            ? "a \(table.kind.rawValue) is not a table"
            : table.hasPrimaryKey ? nil : "no primary key: rows cannot be matched between the sides"
        return [
            CaptureSupport(mode: .triggers, unsupportedBecause: shared),
            CaptureSupport(mode: .changeTracking, unsupportedBecause: engine != .mssql ? "change tracking exists on SQL Server only" : shared),
            CaptureSupport(mode: .compare, unsupportedBecause: shared),
        ]
    }
}
