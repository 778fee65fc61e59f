/// Range digests and split keys computed on the hub from the rows read: what an engine without its own
/// hash functions (SQLite) or not yet taught them (SQL Server) does.
extension DatabaseConnector {
    /// Rows read per round trip while digesting or splitting a range on the hub.
    static var digestPageRows: Int { 5_000 }

    package func digestRange(
        _ table: TableSchema, columns: [String], after: [CanonicalValue]?,
        upTo: [CanonicalValue]?
    ) async throws -> RangeDigest {
        let positions = try columns.map { name in
            guard let index = table.columns.firstIndex(where: { $0.name == name }) else {
                throw ConnectorError(.invalidValue, "table \(table.table) has no column \(name)")
            }
            return index
        }
        var digests: [Int64] = []
        var lower = after
        repeat {
            let page = try await readRange(table, after: lower, upTo: upTo, limit: Self.digestPageRows)
            for row in page.rows { digests.append(RowDigest.of(positions.map { row.values[$0] })) }
            lower = page.nextKey
        } while lower != nil
        return RangeDigest(digests: digests)
    }

    package func splitRange(
        _ table: TableSchema, after: [CanonicalValue]?, upTo: [CanonicalValue]?,
        every: Int
    ) async throws -> [[CanonicalValue]] {
        let step = max(1, every)
        var keys: [[CanonicalValue]] = []
        var seen = 0
        var lower = after
        repeat {
            let page = try await readRange(table, after: lower, upTo: upTo, limit: Self.digestPageRows)
            for row in page.rows {
                seen += 1
                if seen % step == 0 { keys.append(table.primaryKeyIndexes.map { row.values[$0] }) }
            }
            lower = page.nextKey
        } while lower != nil
        return keys
    }
}
