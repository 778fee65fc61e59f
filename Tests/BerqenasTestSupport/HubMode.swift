import Testing

/// The system database engines a test runs against.
package enum HubEngine: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    /// SQLite always; PostgreSQL when the test script provides a cluster (or demands one).
    package static let available: [HubEngine] = PostgresTestCluster.shouldRun ? [.sqlite, .postgresql] : [.sqlite]

    package var testDescription: String { rawValue }

    /// A fresh hub mode of this engine (a new database for PostgreSQL).
    package func makeMode() async throws -> TestHub.Mode {
        switch self {
        case .sqlite: .sqlite
        case .postgresql: .postgresql(url: try await PostgresTestCluster.makeDatabase())
        }
    }
}
