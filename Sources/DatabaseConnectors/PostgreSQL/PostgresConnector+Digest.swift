import PostgresNIO

/// Range digests and split keys computed by PostgreSQL itself: only counts, sums and keys cross the wire.
extension PostgresConnector {
    package func digestRange(
        _ table: TableSchema, columns: [String], after: [CanonicalValue]?,
        upTo: [CanonicalValue]?
    ) async throws -> RangeDigest {
        try table.requirePrimaryKey(for: "it cannot be compared by key ranges")
        let sql = try PostgresDigestSQL.digest(table, columns: columns, afterKey: after != nil, upToKey: upTo != nil)
        let binds = ((after ?? []) + (upTo ?? [])).map(PostgresValueCodec.encode)
        return try await withConnection { connection in
            let row = try await textRows(sql, binds, on: connection).first
            return RangeDigest(rows: Int(row?[0] ?? "0") ?? 0, sum: row?[1] ?? "0")
        }
    }

    package func splitRange(
        _ table: TableSchema, after: [CanonicalValue]?, upTo: [CanonicalValue]?,
        every: Int
    ) async throws -> [[CanonicalValue]] {
        try table.requirePrimaryKey(for: "it cannot be compared by key ranges")
        let sql = PostgresDigestSQL.split(table, afterKey: after != nil, upToKey: upTo != nil, every: max(1, every))
        let binds = ((after ?? []) + (upTo ?? [])).map(PostgresValueCodec.encode)
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        return try await withConnection { connection in
            try await readRows(sql, binds, of: keyColumns, expected: 16, on: connection).map(\.values)
        }
    }
}

/// The SQL of PostgreSQL's range digests, spelling `RowDigest`'s text of each value.
enum PostgresDigestSQL {
    static func digest(_ table: TableSchema, columns: [String], afterKey: Bool, upToKey: Bool) throws -> String {
        let dialect = PostgresDialect()
        let fields = try columns.map { name in
            guard let column = table.column(name) else { throw ConnectorError(.invalidValue, "table \(table.table) has no column \(name)") }
            return "quote_nullable(" + valueText("source." + dialect.quote(name), column.canonicalType) + ")"
        }
        let row = fields.isEmpty ? "''" : "concat(" + fields.joined(separator: ", ',', ") + ")"
        return """
            SELECT count(*)::text, coalesce(sum(('x' || left(md5(\(row)), 16))::bit(64)::bigint::numeric), 0)::text \
            FROM \(dialect.qualified(table.table)) AS source\(dialect.keyRangeSQL(table, afterKey: afterKey, upToKey: upToKey))
            """
    }

    /// `RowDigest.text` of a value, in SQL (NULL stays NULL). Connections run with fixed session settings
    /// (`PostgresValueCodec.sessionParameters`: ISO dates), so a date's own text is the same everywhere.
    static func valueText(_ value: String, _ type: CanonicalType) -> String {
        switch type {
        case .boolean: "CASE WHEN \(value) THEN 't' WHEN NOT \(value) THEN 'f' END"
        case .integer, .text, .uuid, .date: "\(value)::text"
        case .decimal, .money: "\(value)::numeric::text"
        // A real is read as its shortest text, then as a double: the same path here.
        case .float(bits: 32): "encode(float8send(\(value)::text::float8), 'hex')"
        case .float: "encode(float8send(\(value)::float8), 'hex')"
        case .binary: "encode(\(value), 'hex')"
        case .timestamp:
            "CASE WHEN isfinite(\(value)) THEN round(extract(epoch FROM \(value)) * 1000000)::bigint::text ELSE \(value)::text END"
        default: "\(value)::text"
        }
    }

    /// The key of every `every`-th row of a range, in key order.
    static func split(_ table: TableSchema, afterKey: Bool, upToKey: Bool, every: Int) -> String {
        let dialect = PostgresDialect()
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        let keys = keyColumns.map { "source." + dialect.quote($0.name) }.joined(separator: ", ")
        let read = keyColumns.map {
            PostgresValueCodec.readExpression("numbered." + dialect.quote($0.name), nativeType: $0.nativeType)
        }.joined(separator: ", ")
        return """
            SELECT \(read) FROM (SELECT \(keys), row_number() OVER (ORDER BY \(keys)) AS berqenas_n \
            FROM \(dialect.qualified(table.table)) AS source\(dialect.keyRangeSQL(table, afterKey: afterKey, upToKey: upToKey))) AS numbered \
            WHERE berqenas_n % \(every) = 0 ORDER BY berqenas_n
            """
    }
}
