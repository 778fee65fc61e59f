import DatabaseConnectors

/// Sync failures with a stable code and a message that says what to do.
package struct SyncError: Error, Sendable, CustomStringConvertible {
    package let code: String
    package let message: String

    /// Creates an error.
    package init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code): \(message)" }

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
package enum SyncStop: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job was cancelled, or continuous sync was switched off or lost its lease.
    case cancelled
    /// The server is stopping: the job stays `running` with an expired lease and resumes on the next server.
    case shuttingDown

    package var code: String {
        switch self {
        case .cancelled: "cancelled"
        case .shuttingDown: "shutting_down"
        }
    }

    package var description: String {
        switch self {
        case .cancelled: "cancelled: the run was cancelled"
        case .shuttingDown: "shutting_down: the server is stopping; the job resumes when a server takes it"
        }
    }
}
