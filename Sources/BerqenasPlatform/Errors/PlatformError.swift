/// An error of the platform layer with a stable code, an HTTP status and a message a person can act on.
///
/// The server maps it to the one JSON error shape; the CLI prints its message.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    /// Stable machine-readable code, e.g. `tenant_exists`.
    public let code: String
    /// HTTP status this error answers with.
    public let status: Int
    /// What went wrong, in words.
    public let message: String
    /// Extra structured facts (field names, limits); never secrets.
    public let details: [String: String]

    /// Creates an error.
    public init(code: String, status: Int, message: String, details: [String: String] = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.details = details
    }

    public var description: String { "\(code): \(message)" }

    /// A request field failed validation (422), naming the field.
    public static func validation(field: String, _ message: String) -> PlatformError {
        PlatformError(code: "validation_failed", status: 422, message: "\(field): \(message)", details: ["field": field])
    }
    /// Something with that identity already exists (409).
    public static func conflict(_ code: String, _ message: String) -> PlatformError {
        PlatformError(code: code, status: 409, message: message)
    }
    /// The thing asked for does not exist (404).
    public static func notFound(_ what: String, _ identifier: String) -> PlatformError {
        PlatformError(code: "not_found", status: 404, message: "\(what) '\(identifier)' was not found")
    }
    /// The caller is authenticated but may not do this (403).
    public static func forbidden(_ message: String) -> PlatformError {
        PlatformError(code: "forbidden", status: 403, message: message)
    }
    /// The hub cannot start with this configuration.
    public static func invalidConfiguration(_ message: String) -> PlatformError {
        PlatformError(code: "invalid_configuration", status: 500, message: message)
    }
}
