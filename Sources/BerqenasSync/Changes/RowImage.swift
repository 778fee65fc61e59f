import DatabaseConnectors

/// A row as column name -> value (the shape change capture reports and journals keep).
package typealias RowImage = [String: CanonicalValue]

/// A row's primary-key values, in key column order.
package typealias RowKey = [CanonicalValue]

extension TableSchema {
    /// The image of a row read from this table.
    package func image(of row: Row) -> RowImage {
        var image: RowImage = [:]
        for (column, value) in zip(columns, row.values) { image[column.name] = value }
        return image
    }

    /// The row of this table's columns from an image (columns the image lacks are NULL).
    package func row(from image: RowImage) -> Row {
        Row(columns.map { image[$0.name] ?? .null })
    }

    /// The primary key of an image (nil when a key column is missing).
    package func key(of image: RowImage) -> RowKey? {
        let values = primaryKey.map { image[$0] }
        guard values.allSatisfy({ $0 != nil }) else { return nil }
        return values.compactMap { $0 }
    }

    /// The primary key of a row read from this table.
    package func key(of row: Row) -> RowKey {
        primaryKeyIndexes.map { row.values[$0] }
    }
}

/// Whether two images hold the same row: equal on every column both sides have (a column one side
/// lacks, say one added since, does not make a difference), and nil only with nil.
package func sameRow(_ lhs: RowImage?, _ rhs: RowImage?) -> Bool {
    switch (lhs, rhs) {
    case (nil, nil): return true
    case let (left?, right?): return left.allSatisfy { name, value in right[name].map { $0 == value } ?? true }
    default: return false
    }
}
