/// A connector failure with a stable code and a message a user can act on.
public struct ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Codable {
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
    }

    public let code: Code
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
