extension QueryCompiler {
    /// A window over each group of rows sharing `partition`'s values (an embed's `limit`/`offset`, per outer row).
    package struct GroupWindow: Sendable, Equatable {
        package var partition: [String]
        package var offset: Int
        package var limit: Int?
    }

    /// `select` with the window taken in each group, in the database: the rows numbered per group in the
    /// request's order (then the key), only those inside the window kept, in that order. Every engine has
    /// `ROW_NUMBER() OVER (PARTITION BY …)`. The inner columns are named `bq_c0…` (two may share an output name).
    package func select(_ request: ReadRequest, maxRows: Int?, window: GroupWindow) throws -> CompiledQuery {
        var binds: [String?] = []
        let columns = try resultColumns(request.select)
        guard Self.groups(columns, flavor) == nil else {
            throw AutoAPIError.unsupported("limit and offset on an embed of aggregates are not served")
        }
        let partition = try window.partition.map { flavor.quote(try column($0).name) }.joined(separator: ", ")
        let keyOrder = table.primaryKey.map { flavor.quote($0) }.joined(separator: ", ")
        let order = try orderClause(request.order, scope: nil) ?? (keyOrder.isEmpty ? "(SELECT NULL)" : keyOrder)
        let inner = columns.indices.map { "bq_c\($0)" }
        let number = flavor.quote("bq_rn")
        var sql =
            "SELECT \(selectList(columns, names: inner)), ROW_NUMBER() OVER (PARTITION BY \(partition) ORDER BY \(order)) AS \(number)"
            + " FROM \(flavor.qualified(table.table))"
        if let condition = try whereClause(request.filters, &binds) { sql += " WHERE \(condition)" }
        var kept = "\(number) > \(window.offset)"
        if let limit = window.limit { kept += " AND \(number) <= \(window.offset + limit)" }
        let outer = zip(inner, columns).map { "\(flavor.quote($0)) AS \(flavor.quote($1.name))" }.joined(separator: ", ")
        sql = "SELECT \(outer) FROM (\(sql)) AS \(flavor.quote("bq_w")) WHERE \(kept)"
        // Qualified: a bare name in ORDER BY would be an output column a caller may have named bq_rn.
        sql += flavor.paging(order: flavor.quote("bq_w") + "." + number, limit: maxRows, offset: nil, keyOrder: "")
        return CompiledQuery(sql: sql, binds: binds, columns: columns)
    }
}
