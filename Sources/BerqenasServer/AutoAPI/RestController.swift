import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Vapor

/// `/rest/v1/{tenant}/{api}/{table}`: the generated APIs, in PostgREST's grammar and error shape.
struct RestController {
    /// The largest write body taken (a bulk insert of many rows).
    static let maxBody: ByteCount = "16mb"

    /// What the generated APIs answer: a method on the API itself (`["tenant", "api"]`) or on one of its tables.
    struct Endpoint {
        let method: HTTPMethod
        let parameters: [String]
        let handler: @Sendable (Request) async throws -> Response
    }

    var endpoints: [Endpoint] {
        let api = ["tenant", "api"]
        let table = ["tenant", "api", "table"]
        let function = ["tenant", "api", "table", "function"]
        return [
            Endpoint(method: .GET, parameters: api, handler: describe),
            Endpoint(method: .GET, parameters: table, handler: read),
            Endpoint(method: .HEAD, parameters: table, handler: read),
            Endpoint(method: .POST, parameters: table, handler: insert),
            Endpoint(method: .PATCH, parameters: table, handler: update),
            Endpoint(method: .PUT, parameters: table, handler: put),
            Endpoint(method: .GET, parameters: function, handler: callFunction),
            Endpoint(method: .POST, parameters: function, handler: callFunction),
            Endpoint(method: .DELETE, parameters: table, handler: delete),
        ]
    }

    /// Declares the endpoints in the application's route table (the management OpenAPI document and the access
    /// checks read it); requests reach them through `RestDispatch`, ahead of the router.
    func register(on app: Application) {
        for endpoint in endpoints {
            let path: [PathComponent] = ["rest", "v1"] + endpoint.parameters.map { .parameter($0) }
            app.on(endpoint.method, path, body: .stream, use: endpoint.handler)
        }
    }

    /// The API's OpenAPI 3.1 document (as readable as its rows).
    @Sendable
    func describe(_ request: Request) async throws -> Response {
        await answer(request) {
            let api = try await mount(request)
            try await RestAccess.check(request, api: api, writing: false)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var headers = HTTPHeaders()
            headers.contentType = .init(type: "application", subType: "openapi+json", parameters: ["charset": "utf-8"])
            return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(RestOpenAPI.document(api))))
        }
    }

    @Sendable
    func read(_ request: Request) async throws -> Response {
        await answer(request) {
            let api = try await mount(request)
            try await RestAccess.check(request, api: api, writing: false)
            let plan = try planRead(request, api)
            var headers = HTTPHeaders()
            let (body, returned) = try await rows(plan.parsed, plan.compiler, api, format: plan.format, headers: &headers)
            let total = try preferences(request).count != nil ? try await count(plan.compiler, plan.parsed, api) : nil
            return try readAnswer(request, plan.parsed, body: body, returned: returned, total: total, headers: headers)
        }
    }

    /// A GET parsed and checked against its API, ready to compile.
    struct PlannedRead {
        let parsed: ReadRequest
        let compiler: QueryCompiler
        let format: RestFormat
    }

    func planRead(_ request: Request, _ api: APIRegistry.Mounted) throws -> PlannedRead {
        let table = try servedTable(request, api, for: .read)
        var parsed = try RequestParser.read(RestQueryString.items(request.url.query))
        try checkAggregates(parsed.select, api)
        try RestRange.apply(request.headers, to: &parsed)
        return PlannedRead(
            parsed: parsed, compiler: compiler(api, table),
            format: try RestFormat(accept: request.headers.first(name: .accept)))
    }

    /// A GET's answer: its rows and `Content-Range`; with a known total, PostgREST's statuses: 206 when rows
    /// were left out, 416 (PGRST103) when the window starts past the end.
    func readAnswer(
        _ request: Request, _ parsed: ReadRequest, body: [UInt8], returned: Int, total: Int64?,
        headers: HTTPHeaders
    ) throws -> Response {
        var headers = headers
        let first = parsed.offset ?? 0
        if let total, Int64(first) > total {
            throw AutoAPIError(
                status: 416, code: "PGRST103", message: "Requested range not satisfiable",
                details: "An offset of \(first) was requested, but there are only \(total) rows.")
        }
        headers.replaceOrAdd(
            name: "Content-Range", value: (returned == 0 ? "*" : "\(first)-\(first + returned - 1)") + "/\(total.map(String.init) ?? "*")")
        let status: HTTPResponseStatus = total.map { Int64(returned) < $0 } == true ? .partialContent : .ok
        return Response(status: status, headers: headers, body: request.method == .HEAD ? .empty : .init(data: Data(body)))
    }

    /// A read's body in `format` and how many rows it holds; with embedded tables, through the embedding reader.
    func rows(
        _ parsed: ReadRequest, _ compiler: QueryCompiler, _ api: APIRegistry.Mounted, format: RestFormat,
        headers: inout HTTPHeaders
    ) async throws -> ([UInt8], Int) {
        guard EmbeddingReader.embeds(parsed.select) else {
            let query = try compiler.select(parsed, maxRows: api.maxRows)
            let rows = try await api.connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
            return (try format.body(rows, columns: query.columns, headers: &headers), rows.count)
        }
        let objects = try await reader(api).read(parsed, with: compiler)
        return (try format.body(objects: objects, headers: &headers), objects.count)
    }

    /// The API's embedding reader. Only readable tables can be embedded (or filtered through an embed, or serve
    /// as a junction): others are no relationship.
    func reader(_ api: APIRegistry.Mounted) -> EmbeddingReader {
        let connector = api.connector
        return EmbeddingReader(compilers: api.readableCompilers, maxRows: api.maxRows) { query in
            try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
        }
    }

    /// Aggregates only where the API's definition allows them (400 PGRST123 otherwise, as PostgREST answers).
    func checkAggregates(_ select: [SelectItem], _ api: APIRegistry.Mounted) throws {
        guard !api.definition.aggregates, Aggregate.appears(in: select) else { return }
        throw AutoAPIError(
            status: 400, code: "PGRST123", message: "Use of aggregate functions is not allowed",
            hint: "set \"aggregates\": true in the API's definition")
    }

    /// The table's compiler, made when the API was mounted.
    func compiler(_ api: APIRegistry.Mounted, _ table: ServedTable) -> QueryCompiler {
        api.compilers[table.schema.table.name] ?? QueryCompiler(flavor: api.flavor, table: table.schema)
    }

    /// The mounted API and the table the URL names, if the caller may do `operation` on it.
    func served(_ request: Request, for operation: APIOperation) async throws -> (APIRegistry.Mounted, ServedTable) {
        let api = try await mount(request)
        try await RestAccess.check(request, api: api, writing: operation != .read)
        return (api, try servedTable(request, api, for: operation))
    }

    /// The API the URL names, mounted.
    func mount(_ request: Request) async throws -> APIRegistry.Mounted {
        let path = request.restPath
        let api = try await request.berqenas.platform.apis.registry.mount(tenant: path.tenant, api: path.api)
        if let tenantID = api.tenant.id { request.berqenas.platform.dashboard.counters.countAPIRequest(tenantID: tenantID) }
        request.servedAPI = ServedAPIName(tenant: api.tenant.name, api: api.definition.name)
        return api
    }

    /// The table the URL names, if the API lets callers do `operation` on it.
    func servedTable(_ request: Request, _ api: APIRegistry.Mounted, for operation: APIOperation) throws -> ServedTable {
        try checkProfile(request, api)
        let name = request.restPath.table
        guard let table = api.tables[name] else {
            throw AutoAPIError(
                status: 404, code: "PGRST205", message: "Could not find the table '\(name)' in this API",
                hint: "GET /api/v1/tenants/{tenant}/apis/{api} lists the tables it serves")
        }
        guard table.operations.contains(operation) else {
            throw AutoAPIError(
                status: 405, code: "PGRST117", message: "this API does not allow \(operation.rawValue) on '\(name)'",
                hint: "allowed: \(table.operations.map(\.rawValue).joined(separator: ", "))")
        }
        return table
    }

    /// `Accept-Profile` / `Content-Profile` (PostgREST clients send `public`): an API serves one schema,
    /// which either name selects; another one is a 406.
    func checkProfile(_ request: Request, _ api: APIRegistry.Mounted) throws {
        for header in ["Accept-Profile", "Content-Profile"] {
            guard let profile = request.headers.first(name: header), profile != "public",
                !api.tables.values.contains(where: { $0.schema.table.schema == profile })
            else { continue }
            let served = Set(api.tables.values.map(\.schema.table.schema)).union(["public"]).sorted()
            throw AutoAPIError(
                status: 406, code: "PGRST106", message: "The schema must be one of the following: \(served.joined(separator: ", "))",
                details: "\(header): \(profile)")
        }
    }

    func count(_ compiler: QueryCompiler, _ parsed: ReadRequest, _ api: APIRegistry.Mounted) async throws -> Int64? {
        // Conditions on embedded rows (`!inner`, `orders=is.null`) narrow the count as they narrow the rows.
        let count = try compiler.count(EmbeddingReader.embeds(parsed.select) ? reader(api).counted(parsed, with: compiler) : parsed)
        return try await total(of: count, api)
    }

    /// The number a `count` query returns.
    func total(of count: CompiledQuery, _ api: APIRegistry.Mounted) async throws -> Int64? {
        let columns = [ColumnSchema(name: "count", nativeType: "bigint", canonicalType: .integer(bits: 64))]
        let counted = try await api.connector.select(count.sql, binds: count.binds, columns: columns)
        if case let .integer(value)? = counted.first?.values.first { return value }
        return nil
    }

    /// The `Prefer` headers; with `handling=strict`, one it does not understand is a 400 (PGRST122).
    func preferences(_ request: Request) throws -> Preferences {
        let wanted = Preferences(headers: request.headers[canonicalForm: "Prefer"].map(String.init))
        if let failure = wanted.strictFailure { throw failure }
        return wanted
    }

    /// Runs a handler, shaping any failure as PostgREST does.
    func answer(_ request: Request, _ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch { return RestErrors.response(for: error, request: request) }
    }
}
