import DatabaseConnectors
import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// The throwaway PostgreSQL cluster started by `scripts/test.sh`, handed over as
/// `BERQENAS_TEST_POSTGRES_URL` (a superuser URL). Each test gets a database of its own.
package enum PostgresTestCluster {
    /// The cluster's superuser URL, when the test script started one.
    package static let adminURL: String? = {
        let value = ProcessInfo.processInfo.environment["BERQENAS_TEST_POSTGRES_URL"]
        return value?.isEmpty == false ? value : nil
    }()

    /// Whether the test script demanded PostgreSQL (then a missing cluster fails instead of skipping).
    package static let isRequired = ProcessInfo.processInfo.environment["BERQENAS_TEST_REQUIRE_POSTGRES"] == "1"

    /// Whether PostgreSQL-backed tests should run; when false they are skipped and listed as such.
    package static let shouldRun: Bool = {
        if adminURL == nil, !isRequired {
            FileHandle.standardError.write(
                Data(
                    "WARNING: BERQENAS_TEST_POSTGRES_URL is not set: PostgreSQL-backed tests are SKIPPED. Run scripts/test.sh.\n".utf8))
        }
        return adminURL != nil || isRequired
    }()

    /// Creates an empty database and returns its URL.
    package static func makeDatabase(prefix: String = "hub") async throws -> String {
        guard let adminURL else {
            throw TestSupportError("BERQENAS_TEST_POSTGRES_URL is not set but BERQENAS_TEST_REQUIRE_POSTGRES=1")
        }
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await withConnection(adminURL) { connection in
            _ = try await connection.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        return replacingDatabase(in: adminURL, with: name)
    }

    /// Runs `body` on a connection made from `url`.
    package static func withConnection<T>(
        _ url: String, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await PostgresConnection.connect(
            configuration: try configuration(url), id: Int.random(in: 1...1_000_000), logger: logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A connection configuration for a `postgres://user:password@host:port/database` URL.
    package static func configuration(_ url: String) throws -> PostgresConnection.Configuration {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw TestSupportError("not a PostgreSQL URL: \(url)")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable
        )
    }

    /// `url` pointing at another database of the same cluster.
    package static func replacingDatabase(in url: String, with database: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        return components.string!
    }

    /// `url` with other credentials.
    package static func replacingCredentials(in url: String, user: String, password: String) -> String {
        var components = URLComponents(string: url)!
        components.user = user
        components.password = password
        return components.string!
    }

    static let logger = Logger(label: "berqenas.tests.postgres")
}

/// A failure of the test fixtures themselves.
package struct TestSupportError: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}

extension PostgresTestCluster {
    /// The connector settings of a test database URL (no TLS: the cluster is on loopback).
    package static func connectionSpec(_ url: String) throws -> ConnectionSpec {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw TestSupportError("bad URL \(url)")
        }
        return ConnectionSpec(
            engine: .postgresql, host: host, port: components.port, database: String(components.path.dropFirst()),
            username: components.user ?? "postgres", password: components.password ?? "", tls: .disable
        )
    }
}
