import DatabaseConnectors

@testable import BerqenasAutoAPI

extension EmbeddingReader {
    /// A reader whose queries run on `connector`.
    static func over(
        _ connector: any DatabaseConnector, _ compilers: [String: QueryCompiler], maxRows: Int = 100, maxBytes: Int = embeddedBytes
    ) -> EmbeddingReader {
        EmbeddingReader(compilers: compilers, maxRows: maxRows, maxBytes: maxBytes) { query in
            try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
        }
    }

    /// The answer to a GET of `table` with the query `items`, as the JSON array it returns.
    func json(_ table: String, _ items: [(String, String)]) async throws -> String {
        let request = try RequestParser.read(items.map { (name: $0.0, value: $0.1) })
        let objects = try await read(request, with: compilers[table]!)
        return "[" + objects.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",") + "]"
    }
}
