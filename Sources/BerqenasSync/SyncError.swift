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
}

/// Why a run ended early without failing, typed so that callers branch on the case rather than on a code.
public enum SyncStop: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job was cancelled, or continuous sync was switched off or lost its lease.
    case cancelled
    /// The server is stopping: the job stays `running` with an expired lease and resumes on the next server.
    case shuttingDown

    public var code: String {
        switch self {
        case .cancelled: "cancelled"
        case .shuttingDown: "shutting_down"
        }
    }

    public var description: String {
        switch self {
        case .cancelled: "cancelled: the run was cancelled"
        case .shuttingDown: "shutting_down: the server is stopping; the job resumes when a server takes it"
        }
    }
}
