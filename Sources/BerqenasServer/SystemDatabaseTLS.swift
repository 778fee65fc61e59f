import BerqenasPlatform
import DatabaseConnectors
import FluentPostgresDriver
import Foundation
import NIOSSL
import PostgresNIO

/// TLS for the PostgreSQL system database, from the URL's `sslmode` (see `SSLMode`).
enum SystemDatabaseTLS {
    static func mode(url: String) throws -> PostgresClient.Configuration.TLS {
        client(try SSLMode.tls(of: url))
    }

    static func client(_ mode: ConnectionSpec.TLSMode) -> PostgresClient.Configuration.TLS {
        switch settings(mode) {
        case nil: .disable
        case let (configuration, required: false)?: .prefer(configuration)
        case let (configuration, required: true)?: .require(configuration)
        }
    }

    /// One connection to the system database (the event listener's, which LISTEN keeps to itself).
    static func connection(url: String) throws -> PostgresConnection.Configuration {
        var configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        configuration.tls =
            switch settings(try SSLMode.tls(of: url)) {
            case nil: .disable
            case let (tls, required: false)?: .prefer(try NIOSSLContext(configuration: tls))
            case let (tls, required: true)?: .require(try NIOSSLContext(configuration: tls))
            }
        return configuration
    }

    /// The TLS configuration for `mode` and whether TLS is required; nil: no TLS.
    private static func settings(_ mode: ConnectionSpec.TLSMode) -> (TLSConfiguration, required: Bool)? {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        return switch mode {
        case .disable: nil
        case .prefer: (unverified, false)
        case .require: (unverified, true)
        case .verifyFull: (.makeClientConfiguration(), true)
        }
    }
}
