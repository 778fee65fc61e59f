import DatabaseConnectors
import Foundation

/// The `sslmode` of a PostgreSQL URL, read as libpq reads it: `disable`; `allow`/`prefer` (the default:
/// TLS when offered, certificate not checked); `require` (TLS, certificate not checked);
/// `verify-ca`/`verify-full` (TLS, chain and host name checked). `tlsmode` is accepted as a synonym.
package enum SSLMode {
    package static func tls(of url: String) throws -> ConnectionSpec.TLSMode {
        let items = URLComponents(string: url)?.queryItems ?? []
        let mode = items.last { ["sslmode", "tlsmode"].contains($0.name.lowercased()) }?.value?.lowercased() ?? "prefer"
        switch mode {
        case "disable", "false": return .disable
        case "allow", "prefer", "true": return .prefer
        case "require": return .require
        case "verify-ca", "verify-full": return .verifyFull
        default:
            throw PlatformError.invalidConfiguration(
                "BERQENAS_DATABASE_URL: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not '\(mode)'")
        }
    }
}
