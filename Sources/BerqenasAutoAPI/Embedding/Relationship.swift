import DatabaseConnectors

/// How an embedded table relates to the table it is embedded in: through one foreign key (either way), or
/// through a junction table holding a key to each.
struct Relationship: Sendable, Equatable {
    enum Cardinality: String, Sendable {
        case manyToOne = "many-to-one", oneToMany = "one-to-many", oneToOne = "one-to-one", manyToMany = "many-to-many"
    }

    /// A table whose rows pair the outer and the embedded rows (many-to-many).
    struct Junction: Sendable, Equatable {
        var table: String
        /// The junction's columns holding the outer table's `outerColumns`, in the same order.
        var outerColumns: [String]
        /// The junction's columns holding the embedded table's `innerColumns`.
        var innerColumns: [String]
    }

    var cardinality: Cardinality
    /// The foreign key's name (many-to-many: the junction table's).
    var name: String
    var outerTable: String
    var innerTable: String
    /// Columns of the outer table the match uses.
    var outerColumns: [String]
    /// The matching columns of the embedded table, in the same order.
    var innerColumns: [String]
    var junction: Junction?
    /// The foreign key's own columns and the ones it references (for hints), when it is one key.
    var keyColumns: [String] = []
    var referencedColumns: [String] = []
    /// Whether the outer table holds the foreign key (many-to-one, or that side of a one-to-one).
    var holdsKey = false
    /// Whether the embedded table is a view (then only its name reaches it, as in PostgREST).
    var innerIsView = false

    /// Whether each outer row has at most one embedded row.
    var toOne: Bool { cardinality == .manyToOne || cardinality == .oneToOne }
    /// Whether outer and embedded rows are of one table through one key (a tree: parents and children).
    var isSelf: Bool { junction == nil && outerTable == innerTable }

    /// The relationship `embed` names from `outer`, among the tables `tables` holds (the ones the API lets callers
    /// read), with the embedded table. PGRST200 when there is none, PGRST201 when several would do, as PostgREST
    /// decides: by table name (or, without a hint, a foreign key's name or a key column of the outer table),
    /// narrowed by a hint naming a foreign key, one of its columns or a junction table.
    static func resolve(_ embed: Embed, from outer: TableSchema, among tables: [String: TableSchema]) throws -> Relationship {
        let all = candidates(from: outer, among: tables)
        let found = all.filter { $0.matches(target: embed.target, hint: embed.hint) }
        guard let only = found.first else {
            let hint = embed.hint.map { " using the hint '\($0)'" } ?? ""
            throw AutoAPIError(
                status: 400, code: "PGRST200",
                message: "Could not find a relationship between '\(outer.table.name)' and '\(embed.target)' in the schema cache",
                details: "Searched for a foreign key relationship between '\(outer.table.name)' and '\(embed.target)'\(hint) "
                    + "in the schema '\(outer.table.schema)', but no matches were found.",
                hint: "embedding follows foreign keys between tables the API lets callers read")
        }
        guard found.count == 1 else {
            var error = AutoAPIError(
                status: 300, code: "PGRST201",
                message: "Could not embed because more than one relationship was found for '\(outer.table.name)' and '\(embed.target)'",
                hint: "Try changing '\(embed.target)' to one of the following: "
                    + found.map { "'\(embed.target)!\($0.name)'" }.joined(separator: ", ")
                    + ". Find the desired relationship in the 'details' key.")
            error.detailList = found.map(\.description)
            throw error
        }
        return only
    }

    /// Whether an embed written `target!hint` means this relationship (PostgREST's rules; a self-reference
    /// has one key but two relationships: the table's name gives the children, the key's column the parent).
    func matches(target: String, hint: String?) -> Bool {
        let singleKey = keyColumns.count == 1 ? keyColumns[0] : nil
        let singleReferenced = referencedColumns.count == 1 ? referencedColumns[0] : nil
        // The outer table's own column of the pair, and the embedded table's.
        let (outerColumn, innerColumn) = holdsKey ? (singleKey, singleReferenced) : (singleReferenced, singleKey)
        if isSelf {
            // The children by the table's name (with a hint: the key's column), the parent by the key's column.
            guard let hint else { return holdsKey ? target == outerColumn : target == innerTable }
            return !holdsKey && target == innerTable && hint == innerColumn
        }
        guard let hint else {
            return target == innerTable || (junction == nil && !innerIsView && (target == name || target == outerColumn))
        }
        guard target == innerTable else { return false }
        if let junction { return hint == junction.table }
        return hint == name || hint == outerColumn || hint == innerColumn
    }

    /// Every relationship from `outer` to the tables `tables` holds. A view relates through its base tables' keys
    /// on the columns it shows unchanged (its own keys are those; a key to a base table reaches the views showing
    /// the referenced columns).
    static func candidates(from outer: TableSchema, among tables: [String: TableSchema]) -> [Relationship] {
        var found: [Relationship] = []
        let outerName = outer.table.name
        let others = tables.values.sorted { $0.table.name < $1.table.name }
        for key in outer.foreignKeys {
            for inner in others {
                guard let referenced = shown(key, by: inner) else { continue }
                found.append(
                    Relationship(
                        cardinality: isUnique(key.columns, in: outer) ? .oneToOne : .manyToOne, name: key.name, outerTable: outerName,
                        innerTable: inner.table.name, outerColumns: key.columns, innerColumns: referenced, keyColumns: key.columns,
                        referencedColumns: referenced, holdsKey: true, innerIsView: inner.kind == .view))
            }
        }
        for inner in others {
            for key in inner.foreignKeys {
                guard let referenced = shown(key, by: outer) else { continue }
                found.append(
                    Relationship(
                        cardinality: isUnique(key.columns, in: inner) ? .oneToOne : .oneToMany, name: key.name, outerTable: outerName,
                        innerTable: inner.table.name, outerColumns: referenced, innerColumns: key.columns, keyColumns: key.columns,
                        referencedColumns: referenced, innerIsView: inner.kind == .view))
            }
            found += junctions(from: outer, through: inner, among: others)
        }
        // A key whose columns cannot be matched (SQLite: a reference to a table with no primary key) does not count.
        return found.filter { !$0.outerColumns.isEmpty && $0.outerColumns.count == $0.innerColumns.count }
    }

    /// The columns of `table` that `key` references: its referenced columns when it is the referenced table, the
    /// view's columns showing them when it is a view over it; nil when it shows them not.
    static func shown(_ key: ForeignKey, by table: TableSchema) -> [String]? {
        if key.referencedTable == table.table { return referenced(key, table) }
        guard let origins = table.origins, !key.referencedColumns.isEmpty else { return nil }
        let columns = key.referencedColumns.map { column in
            origins.first { $0.table == key.referencedTable && $0.sourceColumn == column }?.column
        }
        return columns.contains(nil) ? nil : columns.compactMap { $0 }
    }

    /// Many-to-many relationships through `junction`: a table with a key to `outer` and another key to a table
    /// among `tables`, both within its primary key (PostgREST's rule).
    private static func junctions(from outer: TableSchema, through junction: TableSchema, among tables: [TableSchema]) -> [Relationship] {
        let primaryKey = Set(junction.primaryKey)
        let keys = junction.foreignKeys.filter { !$0.columns.isEmpty && Set($0.columns).isSubset(of: primaryKey) }
        var found: [Relationship] = []
        for toOuter in keys {
            guard let outerColumns = shown(toOuter, by: outer) else { continue }
            for toInner in keys where toInner != toOuter {
                for inner in tables {
                    guard let innerColumns = shown(toInner, by: inner) else { continue }
                    found.append(
                        Relationship(
                            cardinality: .manyToMany, name: junction.table.name, outerTable: outer.table.name, innerTable: inner.table.name,
                            outerColumns: outerColumns, innerColumns: innerColumns,
                            junction: Junction(table: junction.table.name, outerColumns: toOuter.columns, innerColumns: toInner.columns),
                            innerIsView: inner.kind == .view))
                }
            }
        }
        return found.filter { $0.junction!.outerColumns.count == $0.outerColumns.count && $0.junction!.innerColumns.count == $0.innerColumns.count }
    }

    /// Whether `columns` are the table's primary key or one of its unique constraints.
    private static func isUnique(_ columns: [String], in table: TableSchema) -> Bool {
        let wanted = Set(columns)
        return wanted == Set(table.primaryKey) || table.uniqueConstraints.contains { Set($0) == wanted }
    }

    /// The referenced columns (SQLite leaves them out of a key that refers to the primary key).
    private static func referenced(_ key: ForeignKey, _ table: TableSchema) -> [String] {
        key.referencedColumns.contains("") || key.referencedColumns.isEmpty ? table.primaryKey : key.referencedColumns
    }

    /// One entry of PGRST201's `details`, as PostgREST writes it.
    var description: [String: String] {
        let relationship =
            "\(name) using \(outerTable)(\(outerColumns.joined(separator: ", "))) and \(innerTable)(\(innerColumns.joined(separator: ", ")))"
        return ["cardinality": cardinality.rawValue, "embedding": "\(outerTable) with \(innerTable)", "relationship": relationship]
    }
}
