/// A table or view by name.
package struct TableRef: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Schema (PostgreSQL, SQL Server) or attached database (`main` for SQLite).
    package var schema: String
    package var name: String

    /// Creates a reference.
    package init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    package var description: String { "\(schema).\(name)" }
}

/// Whether a relation holds rows of its own.
package enum RelationKind: String, Sendable, Codable {
    case table
    case view
}

/// One column as introspected.
package struct ColumnSchema: Sendable, Hashable, Codable {
    package var name: String
    /// The engine's own spelling, e.g. `numeric(38,10)`, `nvarchar(max)`.
    package var nativeType: String
    package var canonicalType: CanonicalType
    package var nullable: Bool
    package var defaultExpression: String?
    /// Identity, serial or autoincrement.
    package var isIdentity: Bool
    /// An identity no statement may update (SQL Server's identity, PostgreSQL's GENERATED ALWAYS): written on
    /// insert only. Optional so that schemas stored before it was known read as updatable.
    package var isFixedIdentity: Bool?
    /// Computed by the database (generated columns, rowversion): never written.
    package var isGenerated: Bool
    package var length: Int?
    package var precision: Int?
    package var scale: Int?
    package var collation: String?

    /// Creates a column.
    package init(
        name: String, nativeType: String, canonicalType: CanonicalType, nullable: Bool = true,
        defaultExpression: String? = nil, isIdentity: Bool = false, isFixedIdentity: Bool? = nil, isGenerated: Bool = false,
        length: Int? = nil, precision: Int? = nil, scale: Int? = nil, collation: String? = nil
    ) {
        self.name = name
        self.nativeType = nativeType
        self.canonicalType = canonicalType
        self.nullable = nullable
        self.defaultExpression = defaultExpression
        self.isIdentity = isIdentity
        self.isFixedIdentity = isFixedIdentity
        self.isGenerated = isGenerated
        self.length = length
        self.precision = precision
        self.scale = scale
        self.collation = collation
    }
}

/// A foreign key from this table's `columns` to `referencedTable`'s `referencedColumns`.
package struct ForeignKey: Sendable, Hashable, Codable {
    package var name: String
    package var columns: [String]
    package var referencedTable: TableRef
    package var referencedColumns: [String]

    /// Creates a foreign key.
    package init(name: String, columns: [String], referencedTable: TableRef, referencedColumns: [String]) {
        self.name = name
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
    }
}

/// Where a view's column comes from: a base table's column it shows unchanged.
package struct ColumnOrigin: Sendable, Hashable, Codable {
    package var column: String
    package var table: TableRef
    package var sourceColumn: String

    package init(column: String, table: TableRef, sourceColumn: String) {
        self.column = column
        self.table = table
        self.sourceColumn = sourceColumn
    }
}

/// An index over some columns.
package struct IndexSchema: Sendable, Hashable, Codable {
    package var name: String
    package var columns: [String]
    package var isUnique: Bool

    /// Creates an index description.
    package init(name: String, columns: [String], isUnique: Bool) {
        self.name = name
        self.columns = columns
        self.isUnique = isUnique
    }
}

/// Everything introspection knows about one table or view.
package struct TableSchema: Sendable, Hashable, Codable {
    package var table: TableRef
    package var kind: RelationKind
    package var columns: [ColumnSchema]
    /// Primary-key columns in key order; empty when the table has none.
    package var primaryKey: [String]
    package var uniqueConstraints: [[String]]
    package var foreignKeys: [ForeignKey]
    package var indexes: [IndexSchema]
    /// The planner's estimate, not a count.
    package var estimatedRowCount: Int64?
    /// A view's columns that pass a base table's column through unchanged (nil: a table, or not known).
    package var origins: [ColumnOrigin]?

    /// Creates a table description.
    package init(
        table: TableRef, kind: RelationKind = .table, columns: [ColumnSchema], primaryKey: [String],
        uniqueConstraints: [[String]] = [], foreignKeys: [ForeignKey] = [], indexes: [IndexSchema] = [],
        estimatedRowCount: Int64? = nil
    ) {
        self.table = table
        self.kind = kind
        self.columns = columns
        self.primaryKey = primaryKey
        self.uniqueConstraints = uniqueConstraints
        self.foreignKeys = foreignKeys
        self.indexes = indexes
        self.estimatedRowCount = estimatedRowCount
    }

    /// A table without a primary key can be read, but not synced both ways (rows cannot be matched).
    package var hasPrimaryKey: Bool { !primaryKey.isEmpty }

    /// - Throws: `unsupported` naming the table when it has no primary key.
    package func requirePrimaryKey(for purpose: String) throws {
        guard hasPrimaryKey else {
            throw ConnectorError(.unsupported, "\(table) has no primary key: \(purpose)")
        }
    }

    /// The column named `name`, or an error naming it.
    package func requireColumn(_ name: String) throws -> ColumnSchema {
        guard let found = column(name) else { throw ConnectorError(.invalidValue, "\(table) has no column \(name)") }
        return found
    }

    /// Columns whose type the map does not know; they travel as text and are reported.
    package var unknownTypeColumns: [ColumnSchema] { columns.filter { $0.canonicalType.isUnknown } }

    /// Positions of the primary-key columns in `columns`.
    package var primaryKeyIndexes: [Int] {
        primaryKey.compactMap { key in columns.firstIndex { $0.name == key } }
    }

    /// Columns a sync may write (not generated).
    package var writableColumns: [ColumnSchema] { columns.filter { !$0.isGenerated } }

    /// The writable columns an upsert may set on a row that exists: not the key, not a fixed identity.
    package var updatableColumns: [ColumnSchema] {
        writableColumns.filter { !primaryKey.contains($0.name) && $0.isFixedIdentity != true }
    }

    /// The column called `name`.
    package func column(_ name: String) -> ColumnSchema? { columns.first { $0.name == name } }
}
