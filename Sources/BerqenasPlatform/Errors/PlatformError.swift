/// An error of the platform layer with a stable code, an HTTP status and a message a person can act on.
///
/// The server maps it to the one JSON error shape; the CLI prints its message.
package struct PlatformError: Error, Sendable, CustomStringConvertible {
    /// Stable machine-readable code, e.g. `tenant_exists`.
    package let code: String
    /// HTTP status this error answers with.
    package let status: Int
    /// What went wrong, in words.
    package let message: String
    /// Extra structured facts (field names, limits); never secrets.
    package let details: [String: String]

    /// Creates an error.
    package init(code: String, status: Int, message: String, details: [String: String] = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.details = details
    }

    package var description: String { "\(code): \(message)" }

    /// A request field failed validation (422), naming the field.
    package static func validation(field: String, _ message: String) -> PlatformError {
        PlatformError(code: "validation_failed", status: 422, message: "\(field): \(message)", details: ["field": field])
    }
    /// Something with that identity already exists (409).
    package static func conflict(_ code: String, _ message: String) -> PlatformError {
        PlatformError(code: code, status: 409, message: message)
    }
    /// The thing asked for does not exist (404).
    package static func notFound(_ what: String, _ identifier: String) -> PlatformError {
        PlatformError(code: "not_found", status: 404, message: "\(what) '\(identifier)' was not found")
    }
    /// The caller is authenticated but may not do this (403).
    package static func forbidden(_ message: String) -> PlatformError {
        PlatformError(code: "forbidden", status: 403, message: message)
    }
    /// The hub cannot start with this configuration.
    package static func invalidConfiguration(_ message: String) -> PlatformError {
        PlatformError(code: "invalid_configuration", status: 500, message: message)
    }
}
