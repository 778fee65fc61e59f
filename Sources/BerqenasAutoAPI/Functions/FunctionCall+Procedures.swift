import DatabaseConnectors

/// SQL Server stored procedures at `/rpc/{name}`: one batch, run through `sp_executesql` with every argument a
/// parameter. The arguments are declared as variables of the parameters' types (`EXEC` takes no expressions),
/// the procedure's first result set is collected in a table variable (`INSERT … EXEC`, in the order it was
/// sent), and the batch ends with the selects a call answers: that table's rows, filtered, ordered and paged as a
/// table's are, then the output parameters.
extension FunctionCall {
    /// The table variable a call's rows are collected in, and its alias in the select.
    static let collectedRows = "@bq_rows"

    static func procedure(
        _ function: FunctionSchema, values: [String: String?], request: ReadRequest, maxRows: Int?, countWithin: Bool
    ) throws -> FunctionCall {
        let flavor = SQLFlavor.tsql
        let dialect = TSQLDialect()
        let outputNames = Set(function.outputs ?? [])
        var binds: [String?] = []
        // XACT_ABORT: an error the procedure does not catch ends the batch and dooms the transaction.
        var batch = ["SET NOCOUNT ON;", "SET XACT_ABORT ON;"]
        var passed: [String] = []
        var outputs: [ResultColumn] = []
        // Parameters left out take their defaults; an output parameter is always passed, to be read back.
        for parameter in function.parameters {
            let isOutput = outputNames.contains(parameter.name)
            let given = values[parameter.name]
            guard given != nil || isOutput else { continue }
            let variable = "@bq_a\(passed.count + 1)"
            var declaration = "DECLARE \(variable) \(parameter.nativeType)"
            if case let .some(value) = given {
                binds.append(value)
                declaration += " = " + dialect.write(binds.count, parameter)
            }
            batch.append(declaration + ";")
            passed.append("@\(parameter.name) = \(variable)" + (isOutput ? " OUTPUT" : ""))
            if isOutput {
                var column = ResultColumn(name: parameter.name, source: parameter, value: parameter)
                column.expression = variable
                outputs.append(column)
            }
        }
        let exec =
            "EXEC \(dialect.qualified(TableRef(schema: function.schema, name: function.name)))"
            + (passed.isEmpty ? "" : " " + passed.joined(separator: ", "))
        let outputSelect =
            "SELECT "
            + outputs.map { "\(flavor.read($0.expression ?? "", as: $0.value)) AS \(flavor.quote($0.name))" }.joined(separator: ", ")
        guard case let .rows(columns) = function.result else {
            try refuseShaping(request, function)
            batch.append(exec + ";")
            if !outputs.isEmpty { batch.append(outputSelect + ";") }
            var call = FunctionCall(
                query: CompiledQuery(sql: batch.joined(separator: "\n"), binds: binds, columns: []),
                shape: outputs.isEmpty ? .void : .outputs, volatile: true)
            call.resultSets = outputs.isEmpty ? [] : [outputs.map(\.value)]
            call.outputColumns = outputs
            return call
        }
        if EmbeddingReader.embeds(request.select) {
            throw AutoAPIError(
                status: 400, code: "PGRST200", message: "Could not embed from '\(function.name)': a procedure's rows have no relationships")
        }
        batch.append("DECLARE \(collectedRows) TABLE (\(rowsTable(columns)));")
        batch.append("INSERT INTO \(collectedRows) (\(columns.map { flavor.quote($0.name) }.joined(separator: ", "))) \(exec);")
        let alias = flavor.quote("bq_call")
        let source = QueryCompiler.Source(
            sql: "\(collectedRows) AS \(alias)", binds: binds, alias: alias,
            order: "\(alias).\(flavor.quote(TSQLProcedures.ordinalColumn))")
        let compiler = QueryCompiler(
            flavor: flavor, table: TableSchema(table: TableRef(schema: function.schema, name: function.name), columns: columns, primaryKey: []))
        // The rows sit beside the outputs in one object: answered whole (up to the API's cap), in their order.
        if !outputs.isEmpty { try refuseShaping(request, function) }
        let rows = try compiler.select(request, maxRows: maxRows, from: source, total: countWithin && outputs.isEmpty)
        batch.append(rows.sql + ";")
        if !outputs.isEmpty { batch.append(outputSelect + ";") }
        var call = FunctionCall(
            query: CompiledQuery(sql: batch.joined(separator: "\n"), binds: rows.binds, columns: rows.columns),
            countsItself: countWithin && outputs.isEmpty, shape: outputs.isEmpty ? .rows : .outputs, volatile: true)
        let rowColumns: [ColumnSchema] = rows.columns.map(\.value)
        call.resultSets = outputs.isEmpty ? [rowColumns] : [rowColumns, outputs.map(\.value)]
        call.outputColumns = outputs
        return call
    }

    /// The answer of a call with output parameters: `{"total":3}`, and with the procedure's rows
    /// `{"total":3,"rows":[…]}` (nil `outputs`: all null).
    package func outputsObject(_ outputs: Row?, rows: [Row]) -> [UInt8] {
        var object = JSONRows.renderObject(outputs ?? Row(outputColumns.map { _ in .null }), columns: outputColumns)
        guard resultSets?.count == 2, object.last == UInt8(ascii: "}") else { return object }
        object.removeLast()
        if !outputColumns.isEmpty { object.append(UInt8(ascii: ",")) }
        object += Array("\"rows\":".utf8) + JSONRows.array(rows.map { JSONRows.renderObject($0, columns: query.columns) }) + [UInt8(ascii: "}")]
        return object
    }

    /// The table variable's columns: an ordinal keeping the order the rows came in, then the result's columns
    /// as declared (nullable: a procedure's result promises nothing), with their collations.
    private static func rowsTable(_ columns: [ColumnSchema]) -> String {
        let dialect = TSQLDialect()
        let ordinal = "\(dialect.quote(TSQLProcedures.ordinalColumn)) int IDENTITY(1, 1) PRIMARY KEY"
        return
            ([ordinal]
            + columns.map { column in
                let collation = column.collation.flatMap { name in
                    name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? " COLLATE \(name)" : nil
                }
                return "\(dialect.quote(column.name)) \(column.nativeType)\(collation ?? "") NULL"
            }).joined(separator: ", ")
    }
}
