import Foundation
import NIOCore
import PostgresNIO

extension PostgresConnector {
    package func readRange(_ table: TableSchema, after: [CanonicalValue]?, upTo upper: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage {
        try table.requirePrimaryKey(for: "it cannot be read in key order")
        let sql = PostgresDialect().keysetSelectSQL(table, afterKey: after != nil, upToKey: upper != nil, limit: limit)
        let rows = try await withConnection { connection in
            try await readRows(sql, ((after ?? []) + (upper ?? [])).map(PostgresValueCodec.encode), of: table, expected: limit, on: connection)
        }
        let keyIndexes = table.primaryKeyIndexes
        let nextKey = rows.count == limit ? rows.last.map { row in keyIndexes.map { row.values[$0] } } : nil
        return SnapshotPage(rows: rows, nextKey: nextKey)
    }

    package func keys(of table: TableSchema, where column: String, atLeast value: CanonicalValue) async throws -> [[CanonicalValue]] {
        try table.requirePrimaryKey(for: "the rows changed since a watermark cannot be named")
        let watermark = try table.requireColumn(column)
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        return try await withConnection { connection in
            try await readRows(
                PostgresDialect().keysAtLeastSQL(table, column: watermark), [PostgresValueCodec.encode(value)],
                of: keyColumns, expected: 0, on: connection)
        }.map(\.values)
    }

    package func largest(_ column: String, of table: TableSchema) async throws -> CanonicalValue? {
        let watermark = try table.requireColumn(column)
        return try await withConnection { connection in
            try await readRows(PostgresDialect().largestSQL(table, column: watermark), [], of: [watermark], expected: 1, on: connection)
        }.first?.values.first
    }

    package func fetchRows(_ table: TableSchema, keys: [[CanonicalValue]]) async throws -> [Row] {
        try table.requirePrimaryKey(for: "rows cannot be looked up by key")
        let dialect = PostgresDialect()
        return try await withConnection { connection in
            var rows: [Row] = []
            for chunk in keys.chunked(Self.rowsPerStatement(width: table.primaryKey.count)) {
                rows += try await readRows(
                    dialect.selectByKeysSQL(table), Self.columnArrays(chunk, columns: Array(table.primaryKey.indices)) { $0 },
                    of: table, expected: chunk.count, on: connection)
            }
            return rows
        }
    }

    package func select(_ sql: String, binds: [String?], columns: [ColumnSchema]) async throws -> [Row] {
        try await withConnection { connection in
            try await readRows(sql, binds, of: columns, expected: 16, on: connection)
        }
    }

    package func write(
        _ statements: [BoundStatement], returning columns: [ColumnSchema],
        verify: @Sendable ([Row]) throws -> Void
    ) async throws -> [Row] {
        do {
            return try await withTransaction { connection in
                var rows: [Row] = []
                for statement in statements {
                    rows += try await readRows(
                        statement.sql, statement.binds.map(PostgresValueCodec.encode), of: columns,
                        expected: 16, on: connection)
                }
                do { try verify(rows) } catch { throw WriteRefusal(underlying: error) }
                return rows
            }
        } catch let refusal as WriteRefusal {
            // The caller's own refusal (rolled back), not a database failure: back to it as it was thrown.
            throw refusal.underlying
        }
    }

    /// Runs a select of every column of `table` (in its read forms) and decodes the rows.
    private func readRows(
        _ sql: String, _ binds: [String?], of table: TableSchema, expected: Int,
        on connection: PostgresConnection
    ) async throws -> [Row] {
        try await readRows(sql, binds, of: table.columns, expected: expected, on: connection)
    }

    /// Runs a select of `columns` (in their read forms) and decodes the rows.
    func readRows(
        _ sql: String, _ binds: [String?], of columns: [ColumnSchema], expected: Int,
        on connection: PostgresConnection
    ) async throws -> [Row] {
        let types = columns.map(\.canonicalType)
        let forms = columns.map { PostgresValueCodec.readForm(nativeType: $0.nativeType) }
        var result: [Row] = []
        result.reserveCapacity(expected)
        // Every read here is bounded (a page, a chunk of keys, an API's row cap): the rows are collected on the
        // connection's event loop and decoded here, without an async sequence's machinery for each row.
        let collected = try await connection.query(Self.query(sql, binds), logger: logger).get()
        for row in collected.rows {
            var values: [CanonicalValue] = []
            values.reserveCapacity(forms.count)
            var column = 0
            for cell in row {
                values.append(try Self.decode(cell, types[column], forms[column]))
                column += 1
            }
            result.append(Row(values))
        }
        return result
    }

    /// Decodes a cell straight from its bytes (a hot path of snapshot copies: PostgresNIO's generic decoding
    /// costs more than the conversion itself).
    static func decode(_ cell: PostgresCell, _ type: CanonicalType, _ form: PostgresValueCodec.ReadForm) throws -> CanonicalValue {
        guard var bytes = cell.bytes else { return .null }
        switch (form, bytes.readableBytes) {
        case (.integer, 2): return .integer(Int64(bytes.readInteger(as: Int16.self)!))
        case (.integer, 4): return .integer(Int64(bytes.readInteger(as: Int32.self)!))
        case (.integer, 8): return .integer(bytes.readInteger(as: Int64.self)!)
        case (.boolean, 1): return .boolean(bytes.readInteger(as: UInt8.self)! != 0)
        case (.double, 8): return .float(Double(bitPattern: bytes.readInteger(as: UInt64.self)!))
        case (.uuid, 16):
            return .uuid(bytes.withUnsafeReadableBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) })
        case (.date, 4): return .date(PostgresTimestampText.renderDate(bytes.readInteger(as: Int32.self)!))
        case (.timestamp, 8): return .timestamp(PostgresTimestampText.render(bytes.readInteger(as: Int64.self)!, withZone: false))
        case (.timestampWithZone, 8):
            return .timestampWithZone(PostgresTimestampText.render(bytes.readInteger(as: Int64.self)!, withZone: true))
        case (.text, _): return try PostgresValueCodec.decode(String(buffer: bytes), as: type)
        case let (form, size):
            throw ConnectorError(.invalidValue, "a \(form) cell of \(size) bytes is not in the expected binary form")
        }
    }

    package func apply(_ changes: [RowChange], to table: TableSchema, origin: String?) async throws {
        try table.requirePrimaryKey(for: "changes cannot be matched to rows")
        let dialect = PostgresDialect()
        let writable = table.columns.indices.filter { !table.columns[$0].isGenerated }
        try await withTransaction { connection in
            try await markOrigin(origin, on: connection)
            // Each statement binds one array per column; `applyInChunks` cuts by values, as `rowsPerStatement` does.
            try await changes.applyInChunks(
                columns: writable.count, keyColumns: table.primaryKey.count, maxParameters: Self.valuesPerStatement,
                upsert: { rows in
                    try await execute(dialect.upsertSQL(table), Self.columnArrays(rows, columns: writable) { $0.values }, on: connection)
                },
                delete: { keys in
                    try await execute(
                        dialect.deleteSQL(table), Self.columnArrays(keys, columns: Array(table.primaryKey.indices)) { $0 },
                        on: connection)
                }
            )
        }
    }

    package func bulkLoad(_ rows: [Row], into table: TableSchema, origin: String?) async throws {
        let writable = table.columns.indices.filter { !table.columns[$0].isGenerated }
        // PostgresNIO wraps the table and column names in double quotes itself, without escaping them:
        // hand it the inner text of each quoted identifier (and `schema"."table` for the qualified name).
        let inner = { (name: String) in name.doublingEvery("\"") }
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
                    PostgresCopyText.appendRow(row.values, columns: writable, to: &buffer)
                    if buffer.readableBytes >= 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
        }
    }

    /// Values one statement carries at most (its arrays together): as many rows as fit, so a batch of wide
    /// rows is cut into more statements than one of narrow rows.
    static let valuesPerStatement = 100_000

    /// Rows one statement of `width` values a row writes or looks up.
    static func rowsPerStatement(width: Int) -> Int {
        Swift.max(1, valuesPerStatement / Swift.max(1, width))
    }

    /// One text array literal per position in `columns`, of the values there in each of `rows`.
    static func columnArrays<Rows: Collection>(
        _ rows: Rows, columns: [Int],
        values: @escaping (Rows.Element) -> [CanonicalValue]
    ) -> [String?] {
        columns.map { column in PostgresLiteral.renderTextArray(rows.lazy.map { PostgresValueCodec.encode(values($0)[column]) }) }
    }

    /// Tags the transaction so capture triggers record where its changes came from (or, where the spec
    /// says `unloggedOrigins`, leave them out of the log).
    func markOrigin(_ origin: String?, on connection: PostgresConnection) async throws {
        guard let origin else { return }
        _ = try await textRows(
            "SELECT set_config('berqenas.origin', $1, true), set_config('\(PostgresCaptureSQL.unloggedSetting)', $2, true)",
            [origin, spec.unloggedOrigins ? "on" : "off"], on: connection)
    }
}

/// COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
enum PostgresCopyText {
    /// Appends one line holding `values[columns]`, in that order.
    static func appendRow(_ values: [CanonicalValue], columns: [Int], to buffer: inout ByteBuffer) {
        var first = true
        for column in columns {
            if !first { buffer.writeInteger(UInt8(ascii: "\t")) }
            first = false
            switch values[column] {
            case .null: buffer.writeStaticString("\\N")
            // The hot kinds are written straight into the buffer, without an intermediate string.
            case let .integer(number): appendDecimal(number, to: &buffer)
            case let .float(number) where number.isFinite: buffer.writeString(number.description)
            case let .boolean(flag): buffer.writeStaticString(flag ? "t" : "f")
            case let .uuid(uuid): UUIDText.write(uuid, to: &buffer)
            case let .decimal(text), let .date(text), let .timestamp(text), let .timestampWithZone(text), let .text(text):
                appendEscaped(text, to: &buffer)
            case let value: appendEscaped(PostgresValueCodec.encode(value) ?? "", to: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// `number` in decimal, written in place.
    private static func appendDecimal(_ number: Int64, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { output in
            var magnitude = number.magnitude
            var digits = 0
            repeat {
                digits += 1
                magnitude /= 10
            } while magnitude > 0
            let width = digits + (number < 0 ? 1 : 0)
            if number < 0 { output[0] = UInt8(ascii: "-") }
            magnitude = number.magnitude
            for position in stride(from: width - 1, through: width - digits, by: -1) {
                output[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            return width
        }
    }

    private static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            var clean = true
            for byte in bytes where byte == UInt8(ascii: "\\") || byte < 0x20 {
                clean = false
                break
            }
            guard !clean else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}
