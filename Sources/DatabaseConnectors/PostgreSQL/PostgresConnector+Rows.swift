import NIOCore
import PostgresNIO

extension PostgresConnector {
    /// Most bind parameters one statement may carry (PostgreSQL's limit is 65535).
    static let maxParameters = 30_000

    public func readSnapshot(_ table: TableSchema, after: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage {
        guard table.hasPrimaryKey else {
            throw ConnectorError(.unsupported, "\(table.table) has no primary key: it cannot be read in key order")
        }
        let dialect = PostgresDialect()
        let sql = dialect.keysetSelectSQL(table, afterKey: after != nil, limit: limit)
        let binds = (after ?? []).map(PostgresValueCodec.encode)
        let types = table.columns.map(\.canonicalType)
        let rows: [Row] = try await withConnection { connection in
            var result: [Row] = []
            result.reserveCapacity(limit)
            let stream = try await connection.query(Self.query(sql, binds), logger: logger)
            for try await row in stream {
                var values: [CanonicalValue] = []
                values.reserveCapacity(types.count)
                for (cell, type) in zip(row, types) {
                    values.append(try PostgresValueCodec.decode(try cell.decode(String?.self), as: type))
                }
                result.append(Row(values))
            }
            return result
        }
        let keyIndexes = table.primaryKeyIndexes
        let nextKey = rows.count == limit ? rows.last.map { row in keyIndexes.map { row.values[$0] } } : nil
        return SnapshotPage(rows: rows, nextKey: nextKey)
    }

    public func apply(_ changes: [RowChange], to table: TableSchema, origin: String?) async throws {
        guard table.hasPrimaryKey else {
            throw ConnectorError(.unsupported, "\(table.table) has no primary key: changes cannot be matched to rows")
        }
        let dialect = PostgresDialect()
        let writable = table.columns.indices.filter { !table.columns[$0].isGenerated }
        try await withTransaction { connection in
            try await markOrigin(origin, on: connection)
            for run in changes.runsByKind() {
                switch run {
                case let .upserts(rows):
                    for chunk in rows.chunked(max(1, Self.maxParameters / max(1, writable.count))) {
                        let binds = chunk.flatMap { row in writable.map { PostgresValueCodec.encode(row.values[$0]) } }
                        try await execute(dialect.upsertSQL(table, rowCount: chunk.count), binds, on: connection)
                    }
                case let .deletes(keys):
                    for chunk in keys.chunked(max(1, Self.maxParameters / max(1, table.primaryKey.count))) {
                        let binds = chunk.flatMap { $0.map(PostgresValueCodec.encode) }
                        try await execute(dialect.deleteSQL(table, rowCount: chunk.count), binds, on: connection)
                    }
                }
            }
        }
    }

    public func bulkLoad(_ rows: [Row], into table: TableSchema, origin: String?) async throws {
        let dialect = PostgresDialect()
        let writable = table.columns.indices.filter { !table.columns[$0].isGenerated }
        // PostgresNIO wraps the table and column names in double quotes itself, without escaping them:
        // hand it the inner text of each quoted identifier (and `schema"."table` for the qualified name).
        let inner = { (name: String) in name.replacingOccurrences(of: "\"", with: "\"\"") }
        let columnNames = writable.map { inner(table.columns[$0].name) }
        let tableName = inner(table.table.schema) + "\".\"" + inner(table.table.name)
        try await withTransaction { connection in
            try await markOrigin(origin, on: connection)
            try await connection.copyFrom(
                table: tableName, columns: columnNames, logger: logger
            ) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(1 << 20)
                for row in rows {
                    PostgresCopyText.appendRow(writable.map { row.values[$0] }, to: &buffer)
                    if buffer.readableBytes >= 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
        }
    }

    /// Tags the transaction so capture triggers record where its changes came from.
    func markOrigin(_ origin: String?, on connection: PostgresConnection) async throws {
        guard let origin else { return }
        _ = try await textRows("SELECT set_config('berqenas.origin', $1, true)", [origin], on: connection)
    }
}

/// COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
enum PostgresCopyText {
    static func appendRow(_ values: [CanonicalValue], to buffer: inout ByteBuffer) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard let text = PostgresValueCodec.encode(value) else {
                buffer.writeStaticString("\\N")
                continue
            }
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
