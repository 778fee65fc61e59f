import PostgresNIO

extension PostgresConnector {
    package func listTables(schema: String?) async throws -> [TableRef] {
        try await withConnection { connection in
            let rows = try await textRows(
                """
                SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm')
                  AND ($1::text IS NULL AND n.nspname NOT IN ('pg_catalog', 'information_schema', $2::text)
                       AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' OR n.nspname = $1::text)
                ORDER BY 1, 2
                """, [schema, spec.captureSchema], on: connection)
            return rows.map { TableRef(schema: $0[0] ?? "", name: $0[1] ?? "") }
        }
    }

    package func describeTable(_ table: TableRef) async throws -> TableSchema {
        let dialect = PostgresDialect()
        let relation = dialect.qualified(table)
        return try await withConnection { connection in
            guard
                let info = try await textRows(
                    """
                    SELECT c.relkind::text, GREATEST(c.reltuples, -1)::bigint::text FROM pg_class c
                    WHERE c.oid = to_regclass($1)
                    """, [relation], on: connection
                ).first
            else {
                throw ConnectorError(.queryFailed, "no table or view \(table)")
            }
            let columns = try await textRows(Self.columnsSQL, [relation], on: connection).map(Self.column)
            let primaryKey = try await textRows(
                PostgresCaptureSQL.primaryKeyColumns(of: "to_regclass($1)"), [relation],
                on: connection
            ).compactMap { $0[0] }
            let constraints = try await textRows(Self.constraintsSQL, [relation], on: connection)
            let indexes = try await textRows(
                """
                SELECT ic.relname, i.indisunique::text,
                       (SELECT array_agg(COALESCE(a.attname, '(expression)') ORDER BY k.ord)
                        FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)::text
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE i.indrelid = to_regclass($1) ORDER BY ic.relname
                """, [relation], on: connection)
            let names = Self.names
            let estimate = Int64(info[1] ?? "") ?? -1
            let isView = ["v", "m"].contains(info[0] ?? "")
            let origins = isView ? try await viewOrigins(relation, on: connection) : nil
            var foreignKeys = Self.foreignKeys(constraints)
            if let origins { foreignKeys = try await viewForeignKeys(origins, on: connection) }
            var described = TableSchema(
                table: table,
                kind: isView ? .view : .table,
                columns: columns,
                primaryKey: primaryKey,
                uniqueConstraints: constraints.filter { $0[1] == "u" }.map { names($0[2]) },
                foreignKeys: foreignKeys,
                indexes: indexes.map { IndexSchema(name: $0[0] ?? "", columns: names($0[2]), isUnique: $0[1] == "true") },
                estimatedRowCount: estimate >= 0 ? estimate : nil
            )
            described.origins = origins
            return described
        }
    }

    /// A relation's unique and foreign-key constraints: name, kind, columns, referenced schema, table, columns.
    static let constraintsSQL = """
        SELECT con.conname, con.contype::text,
               (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)::text,
               fn.nspname, fc.relname,
               (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)::text
        FROM pg_constraint con
        LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        WHERE con.conrelid = to_regclass($1) AND con.contype IN ('u', 'f') ORDER BY con.conname
        """

    /// The foreign keys among rows of `constraintsSQL`.
    static func foreignKeys(_ constraints: [[String?]]) -> [ForeignKey] {
        constraints.filter { $0[1] == "f" }.map {
            ForeignKey(
                name: $0[0] ?? "", columns: names($0[2]), referencedTable: TableRef(schema: $0[3] ?? "", name: $0[4] ?? ""),
                referencedColumns: names($0[5]))
        }
    }

    /// The names of a PostgreSQL array literal of names.
    static func names(_ text: String?) -> [String] {
        guard let text, let parsed = try? PostgresLiteral.parseArray(text) else { return [] }
        return parsed.compactMap { if case let .value(name) = $0 { name } else { nil } }
    }

    static let columnsSQL = """
        SELECT a.attname,
               format_type(a.atttypid, a.atttypmod),
               COALESCE(et.typtype, t.typtype)::text,
               CASE WHEN COALESCE(et.typtype, t.typtype) = 'd'
                    THEN format_type(COALESCE(et.typbasetype, t.typbasetype), COALESCE(et.typtypmod, t.typtypmod)) END,
               (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                WHERE e.enumtypid = COALESCE(et.oid, t.oid))::text,
               (NOT a.attnotnull)::text,
               pg_get_expr(ad.adbin, ad.adrelid),
               (a.attidentity <> '' OR COALESCE(pg_get_expr(ad.adbin, ad.adrelid), '') LIKE 'nextval(%')::text,
               (a.attgenerated <> '')::text,
               CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END,
               information_schema._pg_char_max_length(a.atttypid, a.atttypmod)::text,
               information_schema._pg_numeric_precision(a.atttypid, a.atttypmod)::text,
               information_schema._pg_numeric_scale(a.atttypid, a.atttypmod)::text,
               (a.attidentity = 'a')::text
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """

    static func column(_ row: [String?]) -> ColumnSchema {
        let labels: [String] = (row[4].flatMap { try? PostgresLiteral.parseArray($0) } ?? []).compactMap {
            if case let .value(label) = $0 { label } else { nil }
        }
        let descriptor = PostgresTypeMap.Descriptor(
            formatted: row[1] ?? "", kind: row[2]?.first ?? "b", enumLabels: labels, domainBase: row[3]
        )
        return ColumnSchema(
            name: row[0] ?? "", nativeType: row[1] ?? "", canonicalType: PostgresTypeMap.canonical(descriptor),
            nullable: row[5] == "true", defaultExpression: row[6], isIdentity: row[7] == "true", isFixedIdentity: row[13] == "true",
            isGenerated: row[8] == "true", length: row[10].flatMap { Int($0) }, precision: row[11].flatMap { Int($0) },
            scale: row[12].flatMap { Int($0) }, collation: row[9]
        )
    }
}
