/// A condition on an outer row: whether an embedded table holds rows related to it that pass the embed's
/// own filters (`orders!inner(…)`, `orders=not.is.null`), or holds none (`orders=is.null`). Compiled as a
/// correlated `EXISTS`, so the outer query's limit, offset and count see only the rows that stay.
package struct RelatedRows: Sendable, Equatable {
    let relationship: Relationship
    let inner: QueryCompiler
    /// The junction table's compiler (many-to-many).
    let junction: QueryCompiler?
    /// The embedded rows' own filters (with their embeds' conditions in turn).
    let filters: [FilterNode]
    /// true: some related row; false: none.
    var exists: Bool

    package static func == (left: RelatedRows, right: RelatedRows) -> Bool {
        left.relationship == right.relationship && left.inner.table == right.inner.table && left.junction?.table == right.junction?.table
            && left.filters == right.filters && left.exists == right.exists
    }

    /// `[NOT] EXISTS (…)` for the outer row named `outer` (its table, or the alias of an enclosing `EXISTS`);
    /// `depth` keeps the aliases of nested ones apart.
    func sql(outer: String, depth: Int, _ binds: inout [String?]) throws -> String {
        let flavor = inner.flavor
        let alias = flavor.quote("bq_e\(depth)")
        func equal(_ left: String, _ leftColumns: [String], _ right: String, _ rightColumns: [String]) -> [String] {
            zip(leftColumns, rightColumns).map { "\(left).\(flavor.quote($0)) = \(right).\(flavor.quote($1))" }
        }
        // Unqualified names in the embed's filters are the embedded table's: it is the nearest FROM.
        let own = try inner.whereClause(filters, &binds, scope: alias, depth: depth).map { [$0] } ?? []
        let from = "SELECT 1 FROM \(flavor.qualified(inner.table.table)) AS \(alias) WHERE "
        let body: String
        if let junction, let pairs = relationship.junction {
            let through = flavor.quote("bq_j\(depth)")
            let related =
                "EXISTS (\(from)" + (equal(alias, relationship.innerColumns, through, pairs.innerColumns) + own).joined(separator: " AND ") + ")"
            body =
                "EXISTS (SELECT 1 FROM \(flavor.qualified(junction.table.table)) AS \(through) WHERE "
                + (equal(through, pairs.outerColumns, outer, relationship.outerColumns) + [related]).joined(separator: " AND ") + ")"
        } else {
            body =
                "EXISTS (\(from)" + (equal(alias, relationship.innerColumns, outer, relationship.outerColumns) + own).joined(separator: " AND ") + ")"
        }
        return exists ? body : "NOT \(body)"
    }
}
