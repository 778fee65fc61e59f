/// A table or view by name.
public struct TableRef: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Schema (PostgreSQL, SQL Server) or attached database (`main` for SQLite).
    public var schema: String
    public var name: String

    /// Creates a reference.
    public init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    public var description: String { "\(schema).\(name)" }
}

/// Whether a relation holds rows of its own.
public enum RelationKind: String, Sendable, Codable {
    case table
    case view
}

/// One column as introspected.
public struct ColumnSchema: Sendable, Hashable, Codable {
    public var name: String
    /// The engine's own spelling, e.g. `numeric(38,10)`, `nvarchar(max)`.
    public var nativeType: String
    public var canonicalType: CanonicalType
    public var nullable: Bool
    public var defaultExpression: String?
    /// Identity, serial or autoincrement.
    public var isIdentity: Bool
    /// Computed by the database (generated columns, rowversion): never written.
    public var isGenerated: Bool
    public var length: Int?
    public var precision: Int?
    public var scale: Int?
    public var collation: String?

    /// Creates a column.
    public init(name: String, nativeType: String, canonicalType: CanonicalType, nullable: Bool = true,
                defaultExpression: String? = nil, isIdentity: Bool = false, isGenerated: Bool = false,
                length: Int? = nil, precision: Int? = nil, scale: Int? = nil, collation: String? = nil) {
        self.name = name
        self.nativeType = nativeType
        self.canonicalType = canonicalType
        self.nullable = nullable
        self.defaultExpression = defaultExpression
        self.isIdentity = isIdentity
        self.isGenerated = isGenerated
        self.length = length
        self.precision = precision
        self.scale = scale
        self.collation = collation
    }
}

/// A foreign key from this table's `columns` to `referencedTable`'s `referencedColumns`.
public struct ForeignKey: Sendable, Hashable, Codable {
    public var name: String
    public var columns: [String]
    public var referencedTable: TableRef
    public var referencedColumns: [String]

    /// Creates a foreign key.
    public init(name: String, columns: [String], referencedTable: TableRef, referencedColumns: [String]) {
        self.name = name
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
    }
}

/// An index over some columns.
public struct IndexSchema: Sendable, Hashable, Codable {
    public var name: String
    public var columns: [String]
    public var isUnique: Bool

    /// Creates an index description.
    public init(name: String, columns: [String], isUnique: Bool) {
        self.name = name
        self.columns = columns
        self.isUnique = isUnique
    }
}

/// Everything introspection knows about one table or view.
public struct TableSchema: Sendable, Hashable, Codable {
    public var table: TableRef
    public var kind: RelationKind
    public var columns: [ColumnSchema]
    /// Primary-key columns in key order; empty when the table has none.
    public var primaryKey: [String]
    public var uniqueConstraints: [[String]]
    public var foreignKeys: [ForeignKey]
    public var indexes: [IndexSchema]
    /// The planner's estimate, not a count.
    public var estimatedRowCount: Int64?

    /// Creates a table description.
    public init(table: TableRef, kind: RelationKind = .table, columns: [ColumnSchema], primaryKey: [String],
                uniqueConstraints: [[String]] = [], foreignKeys: [ForeignKey] = [], indexes: [IndexSchema] = [],
                estimatedRowCount: Int64? = nil) {
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
    public var hasPrimaryKey: Bool { !primaryKey.isEmpty }

    /// - Throws: `unsupported` naming the table when it has no primary key.
    public func requirePrimaryKey(for purpose: String) throws {
        guard hasPrimaryKey else {
            throw ConnectorError(.unsupported, "\(table) has no primary key: \(purpose)")
        }
    }

    /// The column named `name`, or an error naming it.
    public func requireColumn(_ name: String) throws -> ColumnSchema {
        guard let found = column(name) else { throw ConnectorError(.invalidValue, "\(table) has no column \(name)") }
        return found
    }

    /// Columns whose type the map does not know; they travel as text and are reported.
    public var unknownTypeColumns: [ColumnSchema] { columns.filter { $0.canonicalType.isUnknown } }

    /// Positions of the primary-key columns in `columns`.
    public var primaryKeyIndexes: [Int] {
        primaryKey.compactMap { key in columns.firstIndex { $0.name == key } }
    }

    /// Columns a sync may write (not generated).
    public var writableColumns: [ColumnSchema] { columns.filter { !$0.isGenerated } }

    /// The column called `name`.
    public func column(_ name: String) -> ColumnSchema? { columns.first { $0.name == name } }
}
