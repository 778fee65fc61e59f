import SQLiteNIO

extension SQLiteConnector {
    package func listTables(schema: String?) async throws -> [TableRef] {
        try await pool.withConnection { connection in
            try await rows(
                """
                SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
                  AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_berqenas\\_%' ESCAPE '\\' ORDER BY name
                """, on: connection
            ).compactMap { $0.column("name")?.string }.map { TableRef(schema: "main", name: $0) }
        }
    }

    package func describeTable(_ table: TableRef) async throws -> TableSchema {
        try await pool.withConnection { connection in
            let quoted = dialect.quote(table.name)
            guard
                let kind = try await rows(
                    "SELECT type FROM sqlite_master WHERE name = ?", [.text(table.name)],
                    on: connection
                ).first?.column("type")?.string
            else {
                throw ConnectorError(.queryFailed, "no table or view \(table)")
            }
            var recorded: [String: CanonicalType] = [:]
            if try await rows("SELECT 1 AS x FROM sqlite_master WHERE name = '_berqenas_columns'", on: connection).first != nil {
                for row in try await rows(
                    "SELECT column_name, canonical FROM _berqenas_columns WHERE table_name = ?",
                    [.text(table.name)], on: connection)
                {
                    if let name = row.column("column_name")?.string, let text = row.column("canonical")?.string,
                        let type = SQLiteCatalog.decode(text)
                    {
                        recorded[name] = type
                    }
                }
            }
            var primaryKey: [(Int, String)] = []
            var columns: [ColumnSchema] = []
            for row in try await rows("PRAGMA table_xinfo(\(quoted))", on: connection) {
                guard let name = row.column("name")?.string else { continue }
                let declared = row.column("type")?.string ?? ""
                let hidden = row.column("hidden")?.integer ?? 0
                if hidden == 1 { continue }
                let pkPosition = row.column("pk")?.integer ?? 0
                if pkPosition > 0 { primaryKey.append((pkPosition, name)) }
                let (_, modifiers) = TypeSpelling.split(declared)
                columns.append(
                    ColumnSchema(
                        name: name, nativeType: declared,
                        canonicalType: recorded[name] ?? SQLiteTypeMap.canonical(declared: declared),
                        nullable: (row.column("notnull")?.integer ?? 0) == 0 && pkPosition == 0,
                        defaultExpression: row.column("dflt_value")?.string,
                        isIdentity: pkPosition > 0 && declared.uppercased() == "INTEGER",
                        isGenerated: hidden == 2 || hidden == 3,
                        length: modifiers.count == 1 ? modifiers[0] : nil,
                        precision: modifiers.count == 2 ? modifiers[0] : nil,
                        scale: modifiers.count == 2 ? modifiers[1] : nil
                    ))
            }
            var indexes: [IndexSchema] = []
            for row in try await rows("PRAGMA index_list(\(quoted))", on: connection) {
                guard let name = row.column("name")?.string else { continue }
                let indexColumns = try await rows("PRAGMA index_info(\(dialect.quote(name)))", on: connection)
                    .compactMap { $0.column("name")?.string }
                indexes.append(IndexSchema(name: name, columns: indexColumns, isUnique: (row.column("unique")?.integer ?? 0) == 1))
            }
            var foreignKeys: [Int: ForeignKey] = [:]
            for row in try await rows("PRAGMA foreign_key_list(\(quoted))", on: connection) {
                let id = row.column("id")?.integer ?? 0
                var key =
                    foreignKeys[id]
                    ?? ForeignKey(
                        name: "fk_\(table.name)_\(id)", columns: [],
                        referencedTable: TableRef(schema: "main", name: row.column("table")?.string ?? ""), referencedColumns: []
                    )
                key.columns.append(row.column("from")?.string ?? "")
                key.referencedColumns.append(row.column("to")?.string ?? "")
                foreignKeys[id] = key
            }
            let count =
                kind == "table"
                ? try await rows("SELECT count(*) AS n FROM \(quoted)", on: connection).first?.column("n")?.integer
                : nil
            return TableSchema(
                table: TableRef(schema: "main", name: table.name), kind: kind == "view" ? .view : .table,
                columns: columns, primaryKey: primaryKey.sorted { $0.0 < $1.0 }.map(\.1),
                uniqueConstraints: indexes.filter { $0.isUnique && $0.name.hasPrefix("sqlite_autoindex") }.map(\.columns),
                foreignKeys: foreignKeys.keys.sorted().compactMap { foreignKeys[$0] },
                indexes: indexes, estimatedRowCount: count.map(Int64.init)
            )
        }
    }
}
