/// A connector failure with a stable code and a message a user can act on.
package struct ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    package enum Code: String, Sendable, Codable {
        case unreachable
        case timeout
        case authFailed = "auth_failed"
        case databaseNotFound = "database_not_found"
        case tlsRequired = "tls_required"
        case tlsUntrusted = "tls_untrusted"
        case permissionDenied = "permission_denied"
        case unsupported
        case invalidValue = "invalid_value"
        case queryFailed = "query_failed"
        /// A row breaks a unique or primary key (SQLSTATE 23505).
        case uniqueViolation = "unique_violation"
        /// A row refers to a missing row, or is still referred to (23503).
        case foreignKeyViolation = "foreign_key_violation"
        /// A NOT NULL column was left empty (23502).
        case notNullViolation = "not_null_violation"
        /// A CHECK constraint failed (23514).
        case checkViolation = "check_violation"
        /// The changes after a cursor are no longer known (SQL Server change tracking cleaned past it):
        /// the tables must be compared.
        case captureExpired = "capture_expired"
    }

    package let code: Code
    package let message: String
    /// The database's own error code (PostgreSQL's SQLSTATE) and its words, where it gave them.
    package let source: SourceError?
    /// SQL Server's message number, where no code above says more (for callers that know the statement).
    package var serverCode: Int? = nil

    /// What the database itself said: its code, message, detail and hint.
    package struct SourceError: Sendable, Hashable {
        package var state: String
        package var message: String
        package var detail: String?
        package var hint: String?

        package init(state: String, message: String, detail: String? = nil, hint: String? = nil) {
            self.state = state
            self.message = message
            self.detail = detail
            self.hint = hint
        }
    }

    /// Creates an error.
    package init(_ code: Code, _ message: String, source: SourceError? = nil) {
        self.code = code
        self.message = message
        self.source = source
    }

    package var description: String { "\(code.rawValue): \(message)" }
}

/// What a write's `verify` threw, carried past the connector's mapping of database failures and handed back
/// to the caller unchanged (the write is rolled back).
struct WriteRefusal: Error {
    let underlying: any Error
}
