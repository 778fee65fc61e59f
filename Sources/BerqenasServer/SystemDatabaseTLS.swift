import BerqenasPlatform
import Foundation
import NIOSSL
import PostgresNIO

/// TLS for the PostgreSQL system database, read from the URL's `sslmode` the way libpq reads it:
/// `disable`; `allow`/`prefer` (the default: TLS when offered, certificate not checked); `require` (TLS,
/// certificate not checked); `verify-ca`/`verify-full` (TLS, chain and host name checked).
enum SystemDatabaseTLS {
    static func mode(url: String) throws -> PostgresConnection.Configuration.TLS {
        let items = URLComponents(string: url)?.queryItems ?? []
        let mode = items.last { ["sslmode", "tlsmode"].contains($0.name.lowercased()) }?.value?.lowercased() ?? "prefer"
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case "disable", "false": return .disable
        case "allow", "prefer", "true": return .prefer(try NIOSSLContext(configuration: unverified))
        case "require": return .require(try NIOSSLContext(configuration: unverified))
        case "verify-ca", "verify-full": return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default:
            throw PlatformError.invalidConfiguration(
                "BERQENAS_DATABASE_URL: sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not '\(mode)'")
        }
    }
}
