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

    /// Creates an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code.rawValue): \(message)" }
}
