import BerqenasPlatform
import Foundation
import NIOSSL
import PostgresNIO

/// TLS for the PostgreSQL system database, from the URL's `sslmode` (see `SSLMode`).
enum SystemDatabaseTLS {
    static func mode(url: String) throws -> PostgresConnection.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch try SSLMode.tls(of: url) {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: unverified))
        case .require: return .require(try NIOSSLContext(configuration: unverified))
        case .verifyFull: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }
}
