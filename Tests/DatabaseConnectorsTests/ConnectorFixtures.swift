import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO

/// A fresh PostgreSQL database of the test cluster with a connector over it.
struct PostgresFixture {
    let url: String
    let connector: PostgresConnector

    /// Runs `body` over a new, empty database (with PostGIS when `postGIS`), closing the connector after.
    static func with<T: Sendable>(postGIS: Bool = false, _ body: (PostgresFixture) async throws -> T) async throws -> T {
        let url = try await PostgresTestCluster.makeDatabase(prefix: "conn")
        let fixture = PostgresFixture(url: url, connector: try PostgresConnector(spec: PostgresTestCluster.connectionSpec(url)))
        do {
            if postGIS { try await fixture.run("CREATE EXTENSION IF NOT EXISTS postgis") }
            let result = try await body(fixture)
            await fixture.connector.close()
            return result
        } catch {
            await fixture.connector.close()
            throw error
        }
    }

    /// Runs statements on a connection of their own (setup, outside writers).
    func run(_ statements: String...) async throws {
        try await PostgresTestCluster.withConnection(url) { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "tests"))
            }
        }
    }
}

enum SQLiteFixture {
    /// Runs `body` with a connector over a new SQLite file, closing it after.
    static func with<T: Sendable>(_ body: (SQLiteConnector) async throws -> T) async throws -> T {
        let file = TemporaryDirectory.make().appendingPathComponent("store.sqlite")
        let connector = SQLiteConnector(spec: ConnectionSpec(engine: .sqlite, database: file.path))
        do {
            let result = try await body(connector)
            await connector.close()
            return result
        } catch {
            await connector.close()
            throw error
        }
    }
}

/// Reads a whole table through keyset pages of `pageSize`.
func readAll(_ connector: any DatabaseConnector, _ table: TableSchema, pageSize: Int = 3) async throws -> [Row] {
    var rows: [Row] = []
    var after: [CanonicalValue]?
    repeat {
        let page = try await connector.readSnapshot(table, after: after, limit: pageSize)
        rows += page.rows
        after = page.nextKey
    } while after != nil
    return rows
}
