import DatabaseConnectors

/// Sync failures with a stable code and a message that says what to do.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String

    /// Creates an error.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func truncateCaptured(_ table: TableRef) -> SyncError {
        SyncError("truncate_captured", "table \(table) was truncated; a truncate cannot be carried row by row: run a full sync")
    }

    static func imageWithoutKey(_ table: TableRef) -> SyncError {
        SyncError("image_without_key", "a captured change of \(table) lacks its primary key columns")
    }

    static func noPrimaryKey(_ table: TableRef) -> SyncError {
        SyncError("no_primary_key", "table \(table) has no primary key: rows cannot be matched between the sides")
    }

    static let cancelled = SyncError("cancelled", "the job was cancelled")
}
