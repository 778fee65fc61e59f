import BerqenasPlatform
import DatabaseConnectors
import Foundation
import NIOSSL
import PostgresNIO

/// TLS for the PostgreSQL system database, from the URL's `sslmode` (see `SSLMode`).
enum SystemDatabaseTLS {
    static func mode(url: String) throws -> PostgresClient.Configuration.TLS {
        client(try SSLMode.tls(of: url))
    }

    static func client(_ mode: ConnectionSpec.TLSMode) -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        return switch mode {
        case .disable: .disable
        case .prefer: .prefer(unverified)
        case .require: .require(unverified)
        case .verifyFull: .require(.makeClientConfiguration())
        }
    }
}
