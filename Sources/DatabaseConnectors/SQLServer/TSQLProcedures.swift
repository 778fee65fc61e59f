/// A schema's stored procedures as a generated API can call them: the catalog queries and what is made of their
/// rows (pure). A procedure is served when every parameter is a plain value (no table-valued or cursor
/// parameter) and SQL Server can describe its first result set beforehand
/// (`sys.dm_exec_describe_first_result_set_for_object`: not for temporary tables or dynamic SQL), with every
/// column named once.
package enum TSQLProcedures {
    /// Every procedure of schema `@p1`, with one row per parameter (none for a procedure without).
    static let parametersSQL = """
        SELECT o.name AS procedure_name, pa.name AS parameter_name,
               CASE WHEN pa.system_type_id = 240 THEN TYPE_NAME(pa.user_type_id) ELSE TYPE_NAME(pa.system_type_id) END AS type_name,
               CONVERT(varchar(10), pa.max_length) AS max_length, CONVERT(varchar(10), pa.precision) AS precision,
               CONVERT(varchar(10), pa.scale) AS scale, CONVERT(varchar(1), pa.is_output) AS is_output,
               CONVERT(varchar(1), t.is_table_type) AS is_table_type
        FROM sys.procedures AS o
        INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        LEFT JOIN sys.parameters AS pa ON pa.object_id = o.object_id AND pa.parameter_id > 0
        LEFT JOIN sys.types AS t ON t.user_type_id = pa.user_type_id
        WHERE s.name = @p1 AND o.is_ms_shipped = 0 AND o.type IN ('P', 'PC')
        ORDER BY o.name, pa.parameter_id
        """

    /// The first result set of every procedure of schema `@p1`, column by column, or the reason SQL Server
    /// cannot describe it (a row with `error_number`).
    static let resultsSQL = """
        SELECT o.name AS procedure_name, r.name AS column_name,
               CASE WHEN r.system_type_id = 240 THEN TYPE_NAME(r.user_type_id) ELSE TYPE_NAME(r.system_type_id) END AS type_name,
               CONVERT(varchar(10), r.max_length) AS max_length, CONVERT(varchar(10), r.precision) AS precision,
               CONVERT(varchar(10), r.scale) AS scale, CONVERT(varchar(1), r.is_nullable) AS is_nullable,
               r.collation_name AS collation_name, CONVERT(varchar(10), r.error_number) AS error_number
        FROM sys.procedures AS o
        INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        CROSS APPLY sys.dm_exec_describe_first_result_set_for_object(o.object_id, 0) AS r
        WHERE s.name = @p1 AND o.is_ms_shipped = 0 AND o.type IN ('P', 'PC')
        ORDER BY o.name, r.column_ordinal
        """

    /// The name of the ordinal column of the table a call's result set is collected in (its rows keep the
    /// procedure's order); a result column of that name would clash, so such procedures are not served.
    package static let ordinalColumn = "bq_ord"

    /// The procedures of `schema` from the catalog rows of `parametersSQL` and `resultsSQL`, and the reason each
    /// left-out one is not served. Procedures are volatile (SQL Server cannot say one writes nothing), and every
    /// parameter may be left out (the catalog does not say which have defaults; SQL Server names a missing one).
    package static func describe(schema: String, parameterRows: [[String?]], resultRows: [[String?]]) -> (
        served: [FunctionSchema], skipped: [String: String]
    ) {
        var order: [String] = []
        var parameters: [String: [[String?]]] = [:]
        for row in parameterRows {
            guard let name = row[0] else { continue }
            if parameters[name] == nil { order.append(name) }
            parameters[name, default: []] += row[1] == nil ? [] : [row]
        }
        let results = Dictionary(grouping: resultRows.filter { $0[0] != nil }, by: { $0[0] ?? "" })
        var served: [FunctionSchema] = []
        var skipped: [String: String] = [:]
        for name in order {
            do {
                served.append(try procedure(schema: schema, name: name, parameters: parameters[name] ?? [], results: results[name] ?? []))
            } catch {
                skipped[name] = error.text
            }
        }
        return (served, skipped)
    }

    private struct Reason: Error {
        let text: String
    }

    private static func procedure(
        schema: String, name: String, parameters rows: [[String?]], results: [[String?]]
    ) throws(Reason) -> FunctionSchema {
        var parameters: [ColumnSchema] = []
        var outputs: [String] = []
        for row in rows {
            guard row[7] != "1" else { throw Reason(text: "it takes a table-valued parameter") }
            let spelled = row[1] ?? ""
            let bare = spelled.hasPrefix("@") ? String(spelled.dropFirst()) : spelled
            guard isParameterName(bare) else { throw Reason(text: "its parameter '\(spelled)' has a name that cannot be passed") }
            guard (row[2] ?? "").lowercased() != "cursor" else { throw Reason(text: "it takes a cursor parameter") }
            let column = self.column(bare, type: row[2], maxLength: row[3], precision: row[4], scale: row[5], nullable: true, collation: nil)
            parameters.append(column)
            if row[6] == "1" { outputs.append(bare) }
        }
        if let error = results.first(where: { $0[8] != nil }) {
            throw Reason(text: "SQL Server cannot describe its first result set beforehand (error \(error[8] ?? ""))")
        }
        let columns = results.map { row in
            self.column(row[1] ?? "", type: row[2], maxLength: row[3], precision: row[4], scale: row[5], nullable: row[6] != "0", collation: row[7])
        }
        // Names compare as a case-insensitive collation compares them (the usual one): `Id` and `id` clash.
        var seen: Set<String> = [ordinalColumn]
        for column in columns {
            guard !column.name.isEmpty else { throw Reason(text: "a column of its first result set has no name") }
            guard seen.insert(column.name.lowercased()).inserted else {
                throw Reason(text: "its first result set names '\(column.name)' twice or reserves it")
            }
        }
        if !outputs.isEmpty, !columns.isEmpty, outputs.contains(where: { $0.lowercased() == "rows" }) {
            throw Reason(text: "its output parameter 'rows' would hide its result set in the answer")
        }
        var function = FunctionSchema(
            schema: schema, name: name, parameters: parameters, defaults: parameters.count,
            result: columns.isEmpty ? .void : .rows(columns), returnsSet: !columns.isEmpty, volatile: true)
        function.outputs = outputs
        return function
    }

    /// A catalog column or parameter, with its type spelled as a declaration takes it (`nvarchar(40)`).
    private static func column(
        _ name: String, type: String?, maxLength: String?, precision: String?, scale: String?, nullable: Bool, collation: String?
    ) -> ColumnSchema {
        let type = type ?? ""
        let (length, digits, places) = (Int(maxLength ?? "") ?? 0, Int(precision ?? "") ?? 0, Int(scale ?? "") ?? 0)
        // Declared as a variable or a table variable's column: a row version is its eight bytes (a table cannot take
        // another), and the old large types, which variables cannot be, their `max` successors.
        let successors = [
            "timestamp": "binary(8)", "rowversion": "binary(8)", "text": "varchar(max)", "ntext": "nvarchar(max)", "image": "varbinary(max)",
        ]
        let spelling = successors[type.lowercased()] ?? SQLServerConnector.nativeSpelling(type, length, digits, places)
        return ColumnSchema(
            name: name, nativeType: spelling,
            canonicalType: SQLServerTypeMap.canonical(name: type, maxLength: length, precision: digits, scale: places, collation: collation),
            nullable: nullable, length: length, precision: digits, scale: places, collation: collation)
    }

    /// Whether `name` can follow `@` in an `EXEC` (parameter names cannot be quoted): letters, digits, `_`, `@`,
    /// `#` and `$`, not starting with a digit.
    package static func isParameterName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.count <= 127 && name.allSatisfy { $0.isLetter || $0.isNumber || "_@#$".contains($0) }
    }
}
