import Foundation

/// What a tenant name, subdomain and display name may be.
package enum TenantNameRules {
    /// Names that would collide with the hub's own objects or confuse operators.
    package static let reservedNames: Set<String> = [
        "admin", "api", "app", "auth", "berqenas", "cloud", "default", "health", "information_schema",
        "internal", "main", "null", "panel", "postgres", "public", "rest", "root", "system", "temp",
        "template0", "template1", "tenant", "tenants", "user", "users", "www",
    ]

    /// Checks a tenant name: `^[a-z][a-z0-9_]{1,30}$`, not reserved, not a `pg_` or `sqlite_` name.
    /// - Throws: `PlatformError.validation` naming `field`.
    package static func validateName(_ name: String, field: String = "name") throws {
        guard isWellFormed(name) else {
            throw PlatformError.validation(
                field: field,
                "must start with a lowercase letter and contain 2 to 31 lowercase letters, digits or underscores"
            )
        }
        if reservedNames.contains(name) || name.hasPrefix("pg_") || name.hasPrefix("sqlite_") {
            throw PlatformError.validation(field: field, "'\(name)' is reserved")
        }
    }

    /// Checks an optional DNS label for the tenant.
    package static func validateSubdomain(_ subdomain: String) throws {
        let bytes = Array(subdomain.utf8)
        let allowed = bytes.allSatisfy { isLowerLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
        guard (1...63).contains(bytes.count), allowed,
            bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else {
            throw PlatformError.validation(
                field: "subdomain", "must be a DNS label: 1 to 63 lowercase letters, digits or inner hyphens"
            )
        }
    }

    /// Checks a human-facing name.
    package static func validateDisplayName(_ displayName: String) throws {
        let trimmed = displayName.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, displayName.count <= 200 else {
            throw PlatformError.validation(field: "display_name", "must be 1 to 200 characters")
        }
        guard !displayName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw PlatformError.validation(field: "display_name", "must not contain control characters")
        }
    }

    private static func isWellFormed(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (2...31).contains(bytes.count), let first = bytes.first, isLowerLetter(first) else { return false }
        return bytes.allSatisfy { isLowerLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLowerLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
