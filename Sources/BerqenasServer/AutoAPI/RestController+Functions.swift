import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Foundation
import Vapor

/// `/rest/v1/{tenant}/{api}/rpc/{function}`: the functions an API's definition serves, called as PostgREST
/// calls them, through the source's own login.
extension RestController {
    /// GET: arguments from the query string (the items naming parameters; the others filter, order and page a
    /// set of rows), for functions that change nothing. POST: a JSON object of arguments (or the whole body, for
    /// one JSON parameter), run in a transaction; it needs a write key or token, as any write does.
    @Sendable
    func callFunction(_ request: Request) async throws -> Response {
        await answer(request) {
            let path = request.restPath
            guard path.table == "rpc" else {
                throw AutoAPIError(status: 404, code: "PGRST205", message: "Could not find '\(path.table)/\(path.function)' in this API")
            }
            let posting = request.method == .POST
            let api = try await mount(request)
            try await RestAccess.check(request, api: api, writing: posting)
            try checkProfile(request, api)
            if case .tsql = api.flavor, !posting {
                // SQL Server cannot run a procedure so that it changes nothing, nor say whether one would.
                throw AutoAPIError(
                    status: 405, code: "25006", message: "a SQL Server procedure may change data: call it with POST",
                    hint: "POST with its arguments as a JSON object")
            }
            let overloads = api.functions[path.function] ?? []
            let wanted = try preferences(request)
            var items = RestQueryString.items(request.url.query)
            let (function, arguments) =
                posting
                ? try await postedArguments(request, api, overloads, wanted)
                : try queryArguments(&items, path.function, overloads)
            let parsed = try RequestParser.read(items)
            try checkAggregates(parsed.select, api)
            // A POST counts its rows in its one statement: a second call would run the function twice.
            let counting = posting && wanted.count != nil
            let call = try FunctionCall.compile(
                function, arguments: arguments, request: parsed, flavor: api.flavor, maxRows: api.maxRows, countWithin: counting,
                tables: api.readableCompilers)
            if let embedding = call.embedding {
                return try await embeddedCall(
                    request, (embedding.compiler, embedding.source, call.volatile), parsed, posting: posting, wanted, api)
            }
            let columns = call.query.columns.map(\.value)
            var rows: [Row]
            var total: Int64?
            var outputs: [Row] = []
            if let sets = call.resultSets {
                let results = try await api.connector.callProcedure(
                    call.query.sql, binds: call.query.binds, results: sets, rollback: wanted.transaction == .rollback)
                // The output parameters' row comes last, after the rows a procedure returns.
                outputs = call.outputColumns.isEmpty ? [] : results.last ?? []
                rows = sets.count > (call.outputColumns.isEmpty ? 0 : 1) ? results.first ?? [] : []
            } else if posting {
                let statement = BoundStatement(sql: call.query.sql, binds: call.query.binds.map { $0.map(CanonicalValue.text) ?? .null })
                rows = try await runFunction(statement, columns: columns, api: api, rollback: wanted.transaction == .rollback)
            } else {
                // GET changes nothing (an API's connections are read-only by default): a function that tries fails
                // with 25006 (405), as under PostgREST.
                rows = try await api.connector.select(call.query.sql, binds: call.query.binds, columns: columns)
            }
            if call.countsItself {
                if case let .integer(value)? = rows.first?.values.last { total = value } else { total = 0 }
                rows = rows.map { Row(Array($0.values.dropLast())) }
            } else if wanted.count != nil, let count = call.count {
                total = try await self.total(of: count, api)
            }
            var shown = call
            if call.countsItself { shown.query.columns.removeLast() }
            return try functionAnswer(request, shown, rows, parsed, total: total, wanted, outputs: outputs.first)
        }
    }

    /// A set of rows with embedded tables: the function's rows read once, through the embedding reader (read-only,
    /// as every read of an API's connections); a POST cannot be undone nor counted then (each would call it again).
    func embeddedCall(
        _ request: Request, _ embedding: (compiler: QueryCompiler, source: QueryCompiler.Source, volatile: Bool), _ parsed: ReadRequest,
        posting: Bool,
        _ wanted: Preferences, _ api: APIRegistry.Mounted
    ) async throws -> Response {
        // Its levels are separate statements: a function that may write would commit before they are read.
        if posting, embedding.volatile || wanted.count != nil || wanted.transaction == .rollback {
            throw AutoAPIError.unsupported(
                "a POST call that embeds is served for STABLE or IMMUTABLE functions, without count=exact or tx=rollback",
                hint: "call it with GET, or leave the embeds out")
        }
        let reader = reader(api)
        let objects = try await reader.read(parsed, with: embedding.compiler, from: embedding.source)
        var headers = HTTPHeaders()
        let body = try RestFormat(accept: request.headers.first(name: .accept)).body(objects: objects, headers: &headers)
        var total: Int64?
        if wanted.count != nil {
            let count = try embedding.compiler.count(reader.counted(parsed, with: embedding.compiler), from: embedding.source)
            total = try await self.total(of: count, api)
        }
        if !wanted.applied.isEmpty { headers.replaceOrAdd(name: "Preference-Applied", value: wanted.applied) }
        return try readAnswer(request, parsed, body: body, returned: objects.count, total: total, headers: headers)
    }

    /// A POST's call, in a transaction (undone with `tx=rollback`, answering with what it returned).
    func runFunction(_ statement: BoundStatement, columns: [ColumnSchema], api: APIRegistry.Mounted, rollback: Bool) async throws -> [Row] {
        do {
            return try await api.connector.write([statement], returning: columns) { rows in
                if rollback { throw DryRun(rows: rows) }
            }
        } catch let dryRun as DryRun {
            return dryRun.rows
        }
    }

    /// A GET's arguments: the query items naming a parameter of some overload (the last of a repeated one).
    func queryArguments(
        _ items: inout [(name: String, value: String)], _ name: String, _ overloads: [FunctionSchema]
    ) throws -> (FunctionSchema, FunctionCall.Arguments) {
        let parameters = Set(overloads.flatMap { $0.parameters.map(\.name) })
        var values: [String: String?] = [:]
        for item in items where parameters.contains(item.name) { values[item.name] = item.value }
        items.removeAll { parameters.contains($0.name) }
        let function = try FunctionCall.choose(name, among: overloads, given: Set(values.keys), wholeBody: false)
        return (function, .named(values))
    }

    /// A POST's arguments: the body's members by parameter name, or the whole body for one JSON parameter.
    func postedArguments(
        _ request: Request, _ api: APIRegistry.Mounted, _ overloads: [FunctionSchema], _ wanted: Preferences
    ) async throws -> (FunctionSchema, FunctionCall.Arguments) {
        let name = request.restPath.function
        try await ensureRoom(request, api)
        try await collectBody(request)
        let body = try self.body(request)
        if wanted.singleObject || FunctionCall.takesWholeBody(overloads) {
            let function = try FunctionCall.choose(name, among: overloads, given: [], wholeBody: true)
            return (function, .body(String(decoding: request.body.data.map { Array($0.readableBytesView) } ?? [], as: UTF8.self)))
        }
        guard case let .object(members) = body else {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "the body of a function call is an object of its arguments")
        }
        let function = try FunctionCall.choose(name, among: overloads, given: Set(members.map(\.key)), wholeBody: false)
        var values: [String: String?] = [:]
        for (key, value) in members {
            guard let parameter = function.parameters.first(where: { $0.name == key }) else { continue }
            values[key] = try FunctionCall.argument(value, for: parameter, engine: api.connector.engine)
        }
        return (function, .named(values))
    }

    /// The call's answer: 204 for void, a value, an array of values, an object, rows as a read answers them, or a
    /// procedure's output parameters (`outputs`) as an object with its rows as `rows`.
    func functionAnswer(
        _ request: Request, _ call: FunctionCall, _ rows: [Row], _ parsed: ReadRequest, total: Int64?, _ wanted: Preferences,
        outputs: Row? = nil
    ) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .init(type: "application", subType: "json", parameters: ["charset": "utf-8"])
        if !wanted.applied.isEmpty { headers.replaceOrAdd(name: "Preference-Applied", value: wanted.applied) }
        var body: [UInt8]
        switch call.shape {
        case .void:
            headers.remove(name: .contentType)
            return Response(status: .noContent, headers: headers)
        case .scalar, .scalars:
            let values = rows.map { row in
                var out: [UInt8] = []
                JSONForm.write(row.values.first ?? .null, into: &out)
                return out
            }
            body =
                call.shape == .scalar
                ? values.first ?? Array("null".utf8)
                : JSONRows.array(values)
        case .outputs:
            body = call.outputsObject(outputs, rows: rows)
        case .object:
            guard let row = rows.first else { return Response(status: .ok, headers: headers, body: .init(string: "null")) }
            body = JSONRows.renderObject(row, columns: call.query.columns)
        case .rows:
            let format = try RestFormat(accept: request.headers.first(name: .accept))
            body = try format.body(rows, columns: call.query.columns, headers: &headers)
            return try readAnswer(request, parsed, body: body, returned: rows.count, total: total, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(data: Data(body)))
    }
}
