import PostgresNIO

extension PostgresConnector {
    /// The view's columns that show a base table's column unchanged (from its rewrite rule's target list).
    func viewOrigins(_ relation: String, on connection: PostgresConnection) async throws -> [ColumnOrigin] {
        let rule = try await textRows(
            "SELECT ev_action::text FROM pg_rewrite WHERE ev_class = to_regclass($1) AND rulename = '_RETURN'", [relation],
            on: connection)
        let targets = PostgresViewTargets.parse(rule.first?[0] ?? "")
        guard !targets.isEmpty else { return [] }
        let rows = try await textRows(
            """
            SELECT t.i::text, n.nspname, c.relname, a.attname
            FROM unnest($1::oid[], $2::int2[]) WITH ORDINALITY AS t(rel, att, i)
            JOIN pg_class c ON c.oid = t.rel JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.rel AND a.attnum = t.att
            WHERE c.relkind IN ('r', 'p') ORDER BY t.i
            """,
            [
                "{" + targets.map { String($0.table) }.joined(separator: ",") + "}",
                "{" + targets.map { String($0.column) }.joined(separator: ",") + "}",
            ], on: connection)
        return rows.compactMap { row in
            guard let index = row[0].flatMap(Int.init), index >= 1, index <= targets.count, let schema = row[1], let table = row[2],
                let column = row[3]
            else { return nil }
            return ColumnOrigin(column: targets[index - 1].name, table: TableRef(schema: schema, name: table), sourceColumn: column)
        }
    }

    /// A view's foreign keys: its base tables' keys whose every column the view shows unchanged, named by the
    /// view's columns (PostgREST's view relationships).
    func viewForeignKeys(_ origins: [ColumnOrigin], on connection: PostgresConnection) async throws -> [ForeignKey] {
        var keys: [ForeignKey] = []
        for base in Set(origins.map(\.table)).sorted(by: { ($0.schema, $0.name) < ($1.schema, $1.name) }) {
            let relation = PostgresDialect().qualified(base)
            for key in Self.foreignKeys(try await textRows(Self.constraintsSQL, [relation], on: connection)) {
                let shown = key.columns.map { column in origins.first { $0.table == base && $0.sourceColumn == column }?.column }
                guard !shown.isEmpty, !shown.contains(nil) else { continue }
                var derived = key
                derived.columns = shown.compactMap { $0 }
                keys.append(derived)
            }
        }
        return keys
    }
}
