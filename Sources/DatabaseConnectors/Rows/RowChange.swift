/// One change to apply to a table: an upsert of a whole row or a delete by key.
package enum RowChange: Sendable, Hashable {
    /// Insert the row, or replace the row with the same primary key. Values follow `columns`.
    case upsert(Row)
    /// Delete the row with this primary key, if it exists. Values follow the table's primary key.
    case delete(key: [CanonicalValue])
}

/// A page of a keyset-paginated snapshot read.
package struct SnapshotPage: Sendable {
    /// Rows in primary-key order; values follow the table's columns.
    package var rows: [Row]
    /// Primary-key values of the last row: pass them as `after` to read the next page; nil at the end.
    package var nextKey: [CanonicalValue]?

    /// Creates a page.
    package init(rows: [Row], nextKey: [CanonicalValue]?) {
        self.rows = rows
        self.nextKey = nextKey
    }
}
