import DatabaseConnectors
import Foundation

/// `berqenas-bench copy SOURCE_URL TARGET_URL SCHEMA.TABLE [PAGE_ROWS]`: copies one table between two
/// PostgreSQL databases through the connectors (keyset pages read while the previous page is written with
/// COPY) and prints rows, seconds and rows per second. Used by `bench/snapshot_copy.sh`.
enum SnapshotCopy {
    static func run(_ arguments: [String]) async throws {
        guard arguments.count >= 5 else {
            FileHandle.standardError.write(Data("usage: berqenas-bench copy SOURCE_URL TARGET_URL SCHEMA.TABLE [PAGE_ROWS]\n".utf8))
            exit(2)
        }
        let parts = arguments[4].split(separator: ".", maxSplits: 1).map(String.init)
        let ref = TableRef(schema: parts.count == 2 ? parts[0] : "public", name: parts.last ?? "")
        let pageRows = arguments.count > 5 ? Int(arguments[5]) ?? 50_000 : 50_000
        let source = try PostgresConnector(spec: spec(arguments[2]))
        let target = try PostgresConnector(spec: spec(arguments[3]))
        let clock = ContinuousClock()
        var copied = 0
        let elapsed = try await clock.measure {
            let table = try await source.describeTable(ref)
            try await target.createTable(table)
            let destination = try await target.describeTable(ref)
            var page = try await source.readSnapshot(table, after: nil, limit: pageRows)
            while true {
                let rows = page.rows
                let next = page.nextKey
                // Read the next page while this one is written.
                async let following: SnapshotPage? = next == nil ? nil : source.readSnapshot(table, after: next, limit: pageRows)
                try await target.bulkLoad(rows, into: destination, origin: nil)
                copied += rows.count
                guard let nextPage = try await following else { break }
                page = nextPage
            }
        }
        await source.close()
        await target.close()
        let seconds = elapsed / .seconds(1)
        print("rows=\(copied) seconds=\(String(format: "%.3f", seconds)) rows_per_second=\(Int(Double(copied) / seconds))")
    }

    static func spec(_ url: String) throws -> ConnectionSpec {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw ConnectorError(.invalidValue, "not a postgres:// URL: \(url)")
        }
        return ConnectionSpec(
            engine: .postgresql, host: host, port: components.port, database: String(components.path.dropFirst()),
            username: components.user ?? "postgres", password: components.password ?? "", tls: .disable,
            statementTimeout: 3600)
    }
}
