import DatabaseConnectors

/// A row the two tables of a pair hold differently (nil: the side lacks it).
package struct RowDifference: Sendable, Hashable {
    package var key: RowKey
    package var local: RowImage?
    package var cloud: RowImage?

    /// Creates a difference.
    package init(key: RowKey, local: RowImage?, cloud: RowImage?) {
        self.key = key
        self.local = local
        self.cloud = cloud
    }
}

extension SyncRunner {
    /// Every row that differs between the two tables, found by reading the local table in key order and
    /// looking its keys up in the cloud, then reading the cloud table and looking up the local side.
    func differences(_ table: TableRun) async throws -> [RowDifference] {
        var found: [RowDifference] = []
        var after: [CanonicalValue]?
        repeat {
            try await journal.checkCancelled()
            let page = try await local.readSnapshot(table.local, after: after, limit: pageSize)
            let keys = page.rows.map { table.local.key(of: $0) }
            let cloudRows = try await images(cloud, table.cloud, keys: keys)
            for row in page.rows {
                let key = table.local.key(of: row)
                let image = table.local.image(of: row)
                if !(sameRow(image, cloudRows[key]) && sameRow(cloudRows[key], image)) {
                    found.append(RowDifference(key: key, local: image, cloud: cloudRows[key]))
                }
            }
            after = page.nextKey
        } while after != nil
        repeat {
            try await journal.checkCancelled()
            let page = try await cloud.readSnapshot(table.cloud, after: after, limit: pageSize)
            let keys = page.rows.map { table.cloud.key(of: $0) }
            let present = Set(try await local.fetchRows(table.local, keys: keys).map { table.local.key(of: $0) })
            for row in page.rows where !present.contains(table.cloud.key(of: row)) {
                found.append(RowDifference(key: table.cloud.key(of: row), local: nil, cloud: table.cloud.image(of: row)))
            }
            after = page.nextKey
        } while after != nil
        return found
    }
}
