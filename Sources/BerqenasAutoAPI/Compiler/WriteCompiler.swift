import DatabaseConnectors

/// INSERT (and upsert), UPDATE and DELETE for one engine, each reporting the changed rows in the shape of
/// `returning` (PostgREST's `select=` on a write). Body keys and filter columns are checked against the
/// served columns; every value is a bound parameter.
extension QueryCompiler {
    /// Inserts body objects (one, or many from a JSON array), in as few statements as the engine's
    /// parameter limit allows; rows missing keys under `missing=default` go in statements of their own.
    package func insert(_ objects: [JSONValue], options: InsertOptions, returning: [SelectItem]) throws -> WritePlan {
        let columns = try resultColumns(returning)
        let rows = try objects.map { try bodyRow($0, only: options.columns) }
        var names = options.columns ?? []
        if options.columns == nil {
            var seen = Set<String>()
            for row in rows { for (name, _) in row where seen.insert(name).inserted { names.append(name) } }
        }
        let targets = try names.map { try column($0) }
        let conflict = try (options.onConflict ?? table.primaryKey).map { try column($0) }
        if options.resolution != nil, conflict.isEmpty {
            throw AutoAPIError(status: 400, code: "PGRST100", message: "an upsert needs on_conflict= (the table has no primary key)")
        }
        // Rows of one statement share their columns: with missing=default, those they carry.
        var groups: [(columns: [ColumnSchema], rows: [[CanonicalValue]])] = []
        for row in rows {
            let present = options.missingDefault ? targets.filter { column in row.contains { $0.name == column.name } } : targets
            let values = try present.map { column in
                try row.first { $0.name == column.name }.map { try BodyValue.canonical($0.value, for: column) } ?? .null
            }
            if let index = groups.firstIndex(where: { $0.columns.map(\.name) == present.map(\.name) }) {
                groups[index].rows.append(values)
            } else {
                groups.append((present, [values]))
            }
        }
        var statements: [BoundStatement] = []
        for group in groups {
            // Rows with no columns are each an INSERT … DEFAULT VALUES of their own.
            for chunk in group.rows.chunked(group.columns.isEmpty ? 1 : rowsPerStatement(columns: group.columns.count)) {
                statements.append(
                    insertStatement(group.columns, Array(chunk), conflict: conflict, resolution: options.resolution, returning: columns))
            }
        }
        return WritePlan(statements: statements, columns: columns)
    }

    /// `UPDATE … SET … WHERE <filters>` with the body object's keys.
    package func update(_ body: JSONValue, filters: [FilterNode], returning: [SelectItem], only: [String]? = nil) throws -> WritePlan {
        let columns = try resultColumns(returning)
        let row = try bodyRow(try Self.patchObject(body), only: only)
        // Nothing to set: nothing changes, and no statement runs (as PostgREST answers `{}`).
        guard !row.isEmpty else { return WritePlan(statements: [], columns: columns) }
        var binds: [CanonicalValue] = []
        let assignments = try row.map { name, value in
            let target = try column(name)
            binds.append(try BodyValue.canonical(value, for: target))
            return "\(flavor.quote(target.name)) = \(flavor.writeParameter(binds.count, for: target))"
        }.joined(separator: ", ")
        let condition = try filterClause(filters, &binds)
        return filtered(
            "UPDATE \(flavor.qualified(table.table)) SET \(assignments)", changed: "inserted", condition: condition,
            columns: columns, binds: binds)
    }

    /// A PATCH body as the one object it sets: `[]` is `{}`, `[x]` is `x`; several objects are a 400.
    static func patchObject(_ body: JSONValue) throws -> JSONValue {
        switch body {
        case .array([]): return .object([])
        case let .array(items) where items.count == 1: return items[0]
        case .array: throw AutoAPIError(status: 400, code: "PGRST102", message: "an update takes one object", details: "got an array of several")
        default: return body
        }
    }

    /// Whether a PATCH body sets no column: `{}`, `[]` or `[{}]`.
    package static func setsNothing(_ body: JSONValue) -> Bool {
        guard case let .object(fields)? = try? patchObject(body) else { return false }
        return fields.isEmpty
    }

    /// `DELETE … WHERE <filters>`.
    package func delete(filters: [FilterNode], returning: [SelectItem]) throws -> WritePlan {
        let columns = try resultColumns(returning)
        var binds: [CanonicalValue] = []
        let condition = try filterClause(filters, &binds)
        return filtered(flavor.deleteHead(table.table), changed: "deleted", condition: condition, columns: columns, binds: binds)
    }

    /// `<head> [WHERE …] RETURNING …`, or on SQL Server `<head> OUTPUT <changed>.… INTO … [WHERE …]`.
    private func filtered(_ head: String, changed: String, condition: String?, columns: [ResultColumn], binds: [CanonicalValue]) -> WritePlan {
        let filter = condition.map { " WHERE \($0)" } ?? ""
        let sql =
            flavor.hasReturning
            ? "\(head)\(filter) RETURNING \(selectList(columns))"
            : tsqlCapturing(columns, prefix: changed) { "\(head) \($0)\(filter)" }
        return WritePlan(statements: [BoundStatement(sql: sql, binds: binds)], columns: columns)
    }

    /// A body object's keys, each a served column (PGRST204 otherwise), narrowed to `only` when given.
    private func bodyRow(_ object: JSONValue, only: [String]?) throws -> [(name: String, value: JSONValue)] {
        guard case let .object(fields) = object else {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "each row must be a JSON object", details: "got \(object.text.prefix(80))")
        }
        if let only {
            for name in only where served[name] == nil {
                throw AutoAPIError(
                    status: 400, code: "PGRST204", message: "Could not find the '\(name)' column of '\(table.table.name)'",
                    details: "columns=\(only.joined(separator: ","))")
            }
            return fields.filter { only.contains($0.key) }.map { ($0.key, $0.value) }
        }
        return try fields.map { field in
            guard served[field.key] != nil else {
                throw AutoAPIError(
                    status: 400, code: "PGRST204", message: "Could not find the '\(field.key)' column of '\(table.table.name)'",
                    hint: "the API serves only the columns its definition lists")
            }
            return (field.key, field.value)
        }
    }

    /// The filters' condition with text binds turned into canonical ones.
    private func filterClause(_ filters: [FilterNode], _ binds: inout [CanonicalValue]) throws -> String? {
        // Placeholders are numbered after the values already bound.
        var texts = [String?](repeating: nil, count: binds.count)
        let condition = try whereClause(filters, &texts)
        binds += texts.dropFirst(binds.count).map { $0.map(CanonicalValue.text) ?? .null }
        return condition
    }

    private func insertStatement(
        _ targets: [ColumnSchema], _ rows: [[CanonicalValue]], conflict: [ColumnSchema],
        resolution: InsertOptions.Resolution?, returning: [ResultColumn]
    ) -> BoundStatement {
        var number = 0
        let tuples = rows.map { row in
            "("
                + targets.map { column in
                    number += 1
                    return flavor.writeParameter(number, for: column)
                }.joined(separator: ", ") + ")"
        }
        let binds = rows.flatMap { $0 }
        let updates = targets.filter { target in !conflict.contains { $0.name == target.name } }
        guard flavor.hasReturning else {
            return tsqlInsert(
                targets, tuples: tuples, binds: binds, conflict: conflict, resolution: resolution, updates: updates,
                returning: returning)
        }
        let names = targets.map { flavor.quote($0.name) }.joined(separator: ", ")
        let into = flavor.qualified(table.table)
        // An object with no keys inserts a row of defaults.
        var sql = targets.isEmpty ? "INSERT INTO \(into) DEFAULT VALUES" : "INSERT INTO \(into) (\(names)) VALUES \(tuples.joined(separator: ", "))"
        if let resolution {
            let keys = conflict.map { flavor.quote($0.name) }.joined(separator: ", ")
            if resolution == .ignoreDuplicates || updates.isEmpty {
                sql += " ON CONFLICT (\(keys)) DO NOTHING"
            } else {
                sql +=
                    " ON CONFLICT (\(keys)) DO UPDATE SET "
                    + updates.map { "\(flavor.quote($0.name)) = excluded.\(flavor.quote($0.name))" }.joined(separator: ", ")
            }
        }
        return BoundStatement(sql: sql + " RETURNING \(selectList(returning))", binds: binds)
    }

    /// SQL Server's insert: OUTPUT into a table variable, and MERGE for an upsert.
    private func tsqlInsert(
        _ targets: [ColumnSchema], tuples: [String], binds: [CanonicalValue], conflict: [ColumnSchema],
        resolution: InsertOptions.Resolution?, updates: [ColumnSchema], returning: [ResultColumn]
    ) -> BoundStatement {
        let names = targets.map { flavor.quote($0.name) }.joined(separator: ", ")
        let into = flavor.qualified(table.table)
        guard let resolution, !targets.isEmpty else {
            let sql = tsqlCapturing(returning, prefix: "inserted") { output in
                targets.isEmpty
                    ? "INSERT INTO \(into) \(output) DEFAULT VALUES"
                    : "INSERT INTO \(into) (\(names)) \(output) VALUES \(tuples.joined(separator: ", "))"
            }
            return BoundStatement(sql: sql, binds: binds)
        }
        let sql = tsqlCapturing(returning, prefix: "inserted") { output in
            let on = conflict.map { "[target].\(flavor.quote($0.name)) = [source].\(flavor.quote($0.name))" }.joined(separator: " AND ")
            var merge =
                "MERGE INTO \(into) WITH (HOLDLOCK) AS [target] USING (VALUES \(tuples.joined(separator: ", "))) AS [source] (\(names)) ON \(on)"
            if resolution == .mergeDuplicates, !updates.isEmpty {
                merge +=
                    " WHEN MATCHED THEN UPDATE SET "
                    + updates.map { "[target].\(flavor.quote($0.name)) = [source].\(flavor.quote($0.name))" }.joined(separator: ", ")
            }
            let sourced = targets.map { "[source].\(flavor.quote($0.name))" }.joined(separator: ", ")
            return merge + " WHEN NOT MATCHED THEN INSERT (\(names)) VALUES (\(sourced)) \(output)"
        }
        return BoundStatement(sql: sql, binds: binds)
    }

    /// SQL Server: a data change may not OUTPUT rows straight to the client from a table with triggers
    /// (capture installs them), so it outputs into a table variable the batch then selects from.
    private func tsqlCapturing(_ returning: [ResultColumn], prefix: String, _ statement: (String) -> String) -> String {
        var sources: [ColumnSchema] = []
        for column in returning where !sources.contains(where: { $0.name == column.source.name }) { sources.append(column.source) }
        if sources.isEmpty, let first = table.columns.first { sources = [first] }
        let declared = sources.map { column in
            let type = column.canonicalType == .rowVersion ? "binary(8)" : SQLServerTypeMap.nativeType(for: column.canonicalType)
            return "\(flavor.quote(column.name)) \(type)"
        }.joined(separator: ", ")
        let output = "OUTPUT " + sources.map { "\(prefix).\(flavor.quote($0.name))" }.joined(separator: ", ") + " INTO @changed"
        let select = returning.isEmpty ? "SELECT 1 AS [changed]" : "SELECT \(selectList(returning))"
        return "SET NOCOUNT ON; DECLARE @changed TABLE (\(declared)); \(statement(output)); \(select) FROM @changed"
    }

    /// How many rows one statement may carry within the engine's parameter limit.
    private func rowsPerStatement(columns: Int) -> Int {
        let limits = flavor.statementLimits
        return max(1, min(limits.rows, limits.parameters / max(1, columns)))
    }
}
