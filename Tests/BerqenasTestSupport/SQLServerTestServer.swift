import DatabaseConnectors
import Foundation

/// A real SQL Server offered to the tests by `BERQENAS_TEST_MSSQL_URL` (`mssql://user:password@host:port/database`);
/// none runs on these machines, so the suites that need one are skipped without it.
package enum SQLServerTestServer {
    package static let url: String? = ProcessInfo.processInfo.environment["BERQENAS_TEST_MSSQL_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The connection the URL names (TLS required).
    package static func spec() throws -> ConnectionSpec {
        guard let url, let components = URLComponents(string: url), let host = components.host else {
            throw TestSupportError("BERQENAS_TEST_MSSQL_URL is not a URL")
        }
        return ConnectionSpec(
            engine: .mssql, host: host, port: components.port ?? 1433,
            database: String(components.path.dropFirst()), username: components.user ?? "sa",
            password: components.password ?? "", tls: .require)
    }
}
