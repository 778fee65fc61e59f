import DatabaseConnectors

/// A call of a served function (`/rpc/{name}`), compiled: the statement and how its answer is shaped.
package struct FunctionCall: Sendable {
    package var query: CompiledQuery
    /// Counts the rows (a set of rows only, for `Prefer: count=exact`).
    package var count: CompiledQuery?
    /// Whether the query's last column counts the rows (`countWithin`), to be taken off before the answer.
    package var countsItself = false
    package var shape: Shape
    /// Whether the function may change data (called only by POST, in a transaction).
    package var volatile: Bool
    /// A set of rows with embedded tables: read by the embedding reader over the call, with the compiler of the
    /// table whose row type the function returns.
    package var embedding: (compiler: QueryCompiler, source: QueryCompiler.Source)?
    /// A SQL Server procedure's call: the columns of the result sets its batch ends with (rows, then output
    /// parameters), as `DatabaseConnector.callProcedure` decodes them (nil: a PostgreSQL function's statement).
    package var resultSets: [[ColumnSchema]]?
    /// A procedure's output parameters, as the batch's last select reads them (`.outputs`).
    package var outputColumns: [ResultColumn] = []

    package enum Shape: Sendable, Equatable {
        /// Nothing to answer (204).
        case void
        /// One value, answered as itself (`3`, `"text"`).
        case scalar
        /// A set of values, answered as an array of them (`[1,2,3]`).
        case scalars
        /// One row of a composite type, answered as an object.
        case object
        /// Rows, answered like a table's (filtered, ordered and paged by the query string).
        case rows
        /// A procedure's output parameters, answered as an object, with its rows (if it returns any) as `rows`.
        case outputs
    }

    /// The arguments of a call: by parameter name, as text (nil: NULL), or the whole body for a function of one
    /// JSON parameter.
    package enum Arguments: Sendable {
        case named([String: String?])
        case body(String)
    }

    /// The overload of `name` whose parameters the arguments name: all given names are parameters, every
    /// parameter without a default is given (404 PGRST202 when none fits, 300 PGRST203 when several do). A body
    /// passed whole (`params=single-object`, or a function of one unnamed parameter) needs one JSON parameter.
    package static func choose(_ name: String, among overloads: [FunctionSchema], given: Set<String>, wholeBody: Bool) throws -> FunctionSchema {
        let fitting = overloads.filter { function in
            if wholeBody {
                guard function.parameters.count == 1, case .json = function.parameters[0].canonicalType else { return false }
                return true
            }
            let names = Set(function.parameters.map(\.name))
            return given.isSubset(of: names) && function.required.allSatisfy { given.contains($0.name) }
        }
        let signature = "\(name)(\(given.sorted().joined(separator: ", ")))"
        guard let only = fitting.first else {
            throw AutoAPIError(
                status: 404, code: "PGRST202", message: "Could not find the function \(signature) in the schema cache",
                hint: overloads.isEmpty
                    ? "the API serves no function of that name (\"functions\" in its definition)"
                    : "its parameters: " + overloads.map { "(\($0.parameters.map(\.name).joined(separator: ", ")))" }.joined(separator: " or "))
        }
        guard fitting.count == 1 else {
            throw AutoAPIError(
                status: 300, code: "PGRST203",
                message: "Could not choose the best candidate function between: "
                    + fitting.map { "\($0.schema).\($0.name)(\($0.parameters.map { "\($0.name) => \($0.nativeType)" }.joined(separator: ", ")))" }
                    .joined(separator: ", "),
                hint: "name the arguments of one of them")
        }
        return only
    }

    /// A JSON argument as the text bound for `parameter` on `engine` (nil: NULL); a value the type cannot take is
    /// 400 22P02.
    package static func argument(_ json: JSONValue, for parameter: ColumnSchema, engine: DatabaseEngine) throws -> String? {
        if case .null = json { return nil }
        let value = try BodyValue.canonical(json, for: parameter)
        return engine == .mssql ? SQLServerValueCodec.encode(value) : PostgresValueCodec.encode(value)
    }

    /// Whether the function takes the whole body as its one JSON parameter without naming it (PostgREST's rule
    /// for a single unnamed json or jsonb parameter).
    package static func takesWholeBody(_ overloads: [FunctionSchema]) -> Bool {
        overloads.count == 1 && overloads[0].parameters.count == 1 && overloads[0].parameters[0].name.isEmpty
    }

    /// The statement calling `function` with `arguments`, shaped by its result: rows through the table compiler
    /// (filters, order, window of `request`), values on their own. PostgreSQL functions, and SQL Server
    /// procedures (`procedure(…)`).
    /// `countWithin`: a set of rows counts itself in the statement (a last column, `QueryCompiler.totalColumn`)
    /// instead of in a second call. `tables`: the compilers of the tables callers may read (a function returning
    /// one's rows embeds through its relationships).
    package static func compile(
        _ function: FunctionSchema, arguments: Arguments, request: ReadRequest, flavor: SQLFlavor, maxRows: Int?, countWithin: Bool = false,
        tables: [String: QueryCompiler] = [:]
    ) throws -> FunctionCall {
        if case .tsql = flavor {
            guard case let .named(values) = arguments else {
                throw AutoAPIError.unsupported("a SQL Server procedure takes its arguments by name", hint: "POST an object of them")
            }
            return try procedure(function, values: values, request: request, maxRows: maxRows, countWithin: countWithin)
        }
        guard case let .postgresql(dialect) = flavor else {
            throw AutoAPIError.unsupported("functions are called on PostgreSQL sources and procedures on SQL Server sources")
        }
        var binds: [String?] = []
        var list: [String] = []
        switch arguments {
        case let .body(text):
            binds.append(text)
            list.append("$1::\(dialect.castType(function.parameters[0]))")
        case let .named(values):
            // Named notation, in the parameters' order: the database matches them, defaults fill the rest.
            for (index, parameter) in function.parameters.enumerated() {
                guard let value = values[parameter.name] else { continue }
                binds.append(value)
                let variadic = function.variadic == true && index == function.parameters.count - 1 ? "VARIADIC " : ""
                list.append("\(variadic)\(flavor.quote(parameter.name)) => $\(binds.count)::\(dialect.castType(parameter))")
            }
        }
        let alias = flavor.quote("bq_call")
        let call = "\(flavor.qualified(TableRef(schema: function.schema, name: function.name)))(\(list.joined(separator: ", "))) AS \(alias)"
        let source = QueryCompiler.Source(sql: call, binds: binds, alias: alias)
        switch function.result {
        case .void:
            let done = ColumnSchema(name: "done", nativeType: "integer", canonicalType: .integer(bits: 32))
            try refuseShaping(request, function)
            return FunctionCall(
                query: CompiledQuery(
                    sql: "SELECT 1 AS \(flavor.quote("done")) FROM \(call)", binds: binds,
                    columns: [
                        ResultColumn(name: "done", source: done, value: done)
                    ]), shape: .void, volatile: function.volatile)
        case let .scalar(column):
            try refuseShaping(request, function, paging: !function.returnsSet)
            var sql = "SELECT \(flavor.read(alias, as: column)) AS \(flavor.quote(function.name)) FROM \(call)"
            if function.returnsSet {
                sql += flavor.paging(order: nil, limit: [request.limit, maxRows].compactMap { $0 }.min(), offset: request.offset, keyOrder: "")
            }
            return FunctionCall(
                query: CompiledQuery(sql: sql, binds: binds, columns: [ResultColumn(name: function.name, source: column, value: column)]),
                shape: function.returnsSet ? .scalars : .scalar, volatile: function.volatile)
        case let .rows(columns):
            let compiler = QueryCompiler(
                flavor: flavor, table: TableSchema(table: TableRef(schema: function.schema, name: function.name), columns: columns, primaryKey: []))
            if EmbeddingReader.embeds(request.select) {
                guard function.returnsSet, let table = function.rowsOf, let rows = tables[table.name], rows.table.table == table else {
                    throw AutoAPIError(
                        status: 400, code: "PGRST200",
                        message: "Could not embed from '\(function.name)': it returns no rows of a table the API lets callers read",
                        hint: "a function returning SETOF a served table embeds through that table's relationships")
                }
                return FunctionCall(
                    query: CompiledQuery(sql: "", binds: [], columns: []), shape: .rows, volatile: function.volatile, embedding: (rows, source))
            }
            return FunctionCall(
                query: try compiler.select(
                    request, maxRows: function.returnsSet ? maxRows : nil, from: source, total: countWithin && function.returnsSet),
                count: function.returnsSet && !countWithin ? try compiler.count(request, from: source) : nil,
                countsItself: countWithin && function.returnsSet, shape: function.returnsSet ? .rows : .object, volatile: function.volatile)
        }
    }

    /// A result that is not rows (or a procedure's output parameters, with its rows whole) takes no select, filters
    /// or order (and a single value no window).
    static func refuseShaping(_ request: ReadRequest, _ function: FunctionSchema, paging: Bool = true) throws {
        let plain = request.select == [.all] && request.filters.isEmpty && request.order.isEmpty && request.embedded.isEmpty
        guard plain, !paging || (request.limit == nil && request.offset == nil) else {
            let answer =
                function.outputs?.isEmpty == false
                ? "answers its output parameters" : "returns \(function.returnsSet ? "a set of values" : "no rows")"
            throw AutoAPIError.unsupported(
                "'\(function.name)' \(answer): select, filters, order and pages apply to rows", hint: "call it without them")
        }
    }
}
