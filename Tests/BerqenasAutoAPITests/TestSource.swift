import BerqenasAutoAPI
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// A real database the compiled queries run on: a fresh PostgreSQL database of the test cluster, or a new
/// SQLite file.
enum TestSource: String, CaseIterable, CustomTestStringConvertible {
    case postgresql, sqlite

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when the test script started its cluster.
    static var available: [TestSource] { allCases.filter { $0 != .postgresql || PostgresTestCluster.shouldRun } }

    var flavor: SQLFlavor { self == .sqlite ? .sqlite : .postgresql(PostgresDialect()) }

    /// Where tables are made by a bare `CREATE TABLE`.
    var schema: String { self == .sqlite ? "main" : "public" }

    /// Runs `setup`, then `body` with a connector and a compiler per named table; closes the connector after.
    func with(
        _ setup: [String], compiling tables: [String] = [],
        _ body: (any DatabaseConnector, [String: QueryCompiler]) async throws -> Void
    ) async throws {
        let connector: any DatabaseConnector =
            switch self {
            case .postgresql:
                try PostgresConnector(spec: PostgresTestCluster.connectionSpec(try await PostgresTestCluster.makeDatabase(prefix: "autoapi")))
            case .sqlite:
                SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: TemporaryDirectory.make().appendingPathComponent("api.sqlite").path))
            }
        do {
            _ = try await connector.write(setup.map { BoundStatement(sql: $0, binds: []) }, returning: [])
            var compilers: [String: QueryCompiler] = [:]
            for name in tables {
                compilers[name] = QueryCompiler(flavor: flavor, table: try await connector.describeTable(TableRef(schema: schema, name: name)))
            }
            try await body(connector, compilers)
            await connector.close()
        } catch {
            await connector.close()
            throw error
        }
    }
}
