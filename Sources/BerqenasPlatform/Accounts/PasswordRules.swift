/// What usernames and passwords may be.
package enum PasswordRules {
    /// Shortest accepted password.
    package static let minimumLength = 10
    /// Longest accepted password (bcrypt reads 72 bytes).
    package static let maximumBytes = 72

    /// - Throws: 422 naming `field` when the password is too short or too long.
    package static func validatePassword(_ password: String, field: String = "password") throws {
        guard password.count >= minimumLength else {
            throw PlatformError.validation(field: field, "must be at least \(minimumLength) characters")
        }
        guard password.utf8.count <= maximumBytes else {
            throw PlatformError.validation(field: field, "must be at most \(maximumBytes) bytes")
        }
    }

    /// - Throws: 422 unless the username is 3 to 64 of letters, digits, `.`, `_`, `-`, `@`.
    package static func validateUsername(_ username: String) throws {
        let allowed = username.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-@".unicodeScalars.contains($0)
        }
        guard (3...64).contains(username.count), allowed else {
            throw PlatformError.validation(field: "username", "must be 3 to 64 letters, digits, '.', '_', '-' or '@'")
        }
    }
}
