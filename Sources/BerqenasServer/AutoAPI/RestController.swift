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
        return [
            Endpoint(method: .GET, parameters: api, handler: describe),
            Endpoint(method: .GET, parameters: table, handler: read),
            Endpoint(method: .HEAD, parameters: table, handler: read),
            Endpoint(method: .POST, parameters: table, handler: insert),
            Endpoint(method: .PATCH, parameters: table, handler: update),
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
    private struct PlannedRead {
        let parsed: ReadRequest
        let compiler: QueryCompiler
        let format: RestFormat
    }

    private func planRead(_ request: Request, _ api: APIRegistry.Mounted) throws -> PlannedRead {
        let table = try servedTable(request, api, for: .read)
        var parsed = try RequestParser.read(RestQueryString.items(request.url.query))
        try RestRange.apply(request.headers, to: &parsed)
        return PlannedRead(
            parsed: parsed, compiler: compiler(api, table),
            format: try RestFormat(accept: request.headers.first(name: .accept)))
    }

    /// A GET's answer: its rows and `Content-Range`; with a known total, PostgREST's statuses: 206 when rows
    /// were left out, 416 (PGRST103) when the window starts past the end.
    private func readAnswer(
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
    private func rows(
        _ parsed: ReadRequest, _ compiler: QueryCompiler, _ api: APIRegistry.Mounted, format: RestFormat,
        headers: inout HTTPHeaders
    ) async throws -> ([UInt8], Int) {
        guard EmbeddingReader.embeds(parsed.select) else {
            let query = try compiler.select(parsed, maxRows: api.maxRows)
            let rows = try await api.connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
            return (try format.body(rows, columns: query.columns, headers: &headers), rows.count)
        }
        let connector = api.connector
        // Only readable tables can be embedded (or filtered through an embed): others are no relationship.
        let reader = EmbeddingReader(compilers: api.readableCompilers, maxRows: api.maxRows) { query in
            try await connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
        }
        let objects = try await reader.read(parsed, with: compiler)
        return (try format.body(objects: objects, headers: &headers), objects.count)
    }

    /// POST: one object or a JSON array of them; with `Prefer: resolution=…` an upsert on `on_conflict`.
    @Sendable
    func insert(_ request: Request) async throws -> Response {
        await answer(request) {
            let (api, table) = try await served(request, for: .insert)
            try await ensureRoom(request, api)
            try await collectBody(request)
            let items = RestQueryString.items(request.url.query)
            let wanted = try preferences(request)
            let options = try RequestParser.insertOptions(items, preferences: wanted)
            if options.resolution == .mergeDuplicates, !table.operations.contains(.update) {
                throw AutoAPIError(
                    status: 405, code: "PGRST117",
                    message: "merging duplicates updates rows, which this API does not allow on '\(table.schema.table.name)'")
            }
            let objects: [JSONValue] =
                switch try body(request) {
                case let .array(items): items
                case let object: [object]
                }
            let plan = try compiler(api, table).insert(objects, options: options, returning: try returning(items, wanted, table))
            return try await respond(request, api: api, table: table, plan: plan, preferences: wanted, created: true)
        }
    }

    /// PATCH: the body's columns (those named in `columns=`, when given) set on every row the filters select.
    @Sendable
    func update(_ request: Request) async throws -> Response {
        try await filteredWrite(request, .update, verb: "UPDATE", readsBody: true) { compiler, filters, returning in
            let only = try RequestParser.insertOptions(RestQueryString.items(request.url.query), preferences: Preferences(headers: [])).columns
            return try compiler.update(try body(request), filters: filters, returning: returning, only: only)
        }
    }

    /// DELETE: the rows the filters select.
    @Sendable
    func delete(_ request: Request) async throws -> Response {
        try await filteredWrite(request, .delete, verb: "DELETE", readsBody: false) { compiler, filters, returning in
            try compiler.delete(filters: filters, returning: returning)
        }
    }

    /// A PATCH or DELETE: served table, filters (refused when there are none, unless allowed), the plan, the answer.
    private func filteredWrite(
        _ request: Request, _ operation: APIOperation, verb: String, readsBody: Bool,
        plan: (QueryCompiler, [FilterNode], [SelectItem]) throws -> WritePlan
    ) async throws -> Response {
        await answer(request) {
            let (api, table) = try await served(request, for: operation)
            if readsBody {
                try await ensureRoom(request, api)
                try await collectBody(request)
            }
            let items = RestQueryString.items(request.url.query)
            // A body that sets nothing changes nothing, filtered or not (PostgREST answers it with no update).
            let setsNothing = try readsBody && QueryCompiler.setsNothing(body(request))
            let parsed = try filtered(items, api: api, table: table, verb: verb, changesRows: !setsNothing)
            let wanted = try preferences(request)
            let made = try plan(compiler(api, table), parsed.filters, try returning(items, wanted, table))
            return try await respond(request, api: api, table: table, plan: made, preferences: wanted, created: false)
        }
    }

    /// The table's compiler, made when the API was mounted.
    private func compiler(_ api: APIRegistry.Mounted, _ table: ServedTable) -> QueryCompiler {
        api.compilers[table.schema.table.name] ?? QueryCompiler(flavor: api.flavor, table: table.schema)
    }

    /// The mounted API and the table the URL names, if the caller may do `operation` on it.
    private func served(_ request: Request, for operation: APIOperation) async throws -> (APIRegistry.Mounted, ServedTable) {
        let api = try await mount(request)
        try await RestAccess.check(request, api: api, writing: operation != .read)
        return (api, try servedTable(request, api, for: operation))
    }

    /// The API the URL names, mounted.
    private func mount(_ request: Request) async throws -> APIRegistry.Mounted {
        let path = request.restPath
        let api = try await request.berqenas.platform.apis.registry.mount(tenant: path.tenant, api: path.api)
        if let tenantID = api.tenant.id { request.berqenas.platform.dashboard.counters.countAPIRequest(tenantID: tenantID) }
        request.servedAPI = ServedAPIName(tenant: api.tenant.name, api: api.definition.name)
        return api
    }

    /// The table the URL names, if the API lets callers do `operation` on it.
    private func servedTable(_ request: Request, _ api: APIRegistry.Mounted, for operation: APIOperation) throws -> ServedTable {
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
    private func checkProfile(_ request: Request, _ api: APIRegistry.Mounted) throws {
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

    /// A PATCH's or DELETE's filters; without any, refused unless the API allows touching every row.
    private func filtered(
        _ items: [(name: String, value: String)], api: APIRegistry.Mounted, table: ServedTable,
        verb: String, changesRows: Bool = true
    ) throws -> ReadRequest {
        let parsed = try RequestParser.read(items)
        if parsed.limit != nil || parsed.offset != nil {
            throw AutoAPIError.unsupported(
                "limit and offset on \(verb == "UPDATE" ? "PATCH" : "DELETE") are not served",
                hint: "select the rows with filters")
        }
        // As in PostgreSQL, a WHERE reads the rows: filters (an oracle on their values) need the read grant.
        if !parsed.filters.isEmpty, !table.operations.contains(.read) {
            throw AutoAPIError(
                status: 403, code: "42501",
                message:
                    "filters read rows: \(verb == "UPDATE" ? "PATCH" : "DELETE") with filters needs the read operation on '\(table.schema.table.name)'",
                hint: "grant read in the API's definition")
        }
        if parsed.filters.isEmpty, changesRows, !api.definition.allowUnfilteredWrites {
            throw AutoAPIError(
                status: 400, code: "21000", message: "\(verb) requires a WHERE clause",
                hint: "add a filter such as ?id=eq.1, or set allow_unfiltered_writes on the API")
        }
        return parsed
    }

    /// What a write reports back: `select=` for `return=representation`, else the key (for `Location`).
    private func returning(_ items: [(name: String, value: String)], _ wanted: Preferences, _ table: ServedTable) throws -> [SelectItem] {
        if wanted.returning == .representation {
            guard table.operations.contains(.read) else {
                throw AutoAPIError(
                    status: 403, code: "42501", message: "return=representation needs the read operation on '\(table.schema.table.name)'",
                    hint: "Prefer: return=minimal, or grant read in the API's definition")
            }
            return try RequestParser.read(items).select
        }
        let key = table.schema.primaryKey.isEmpty ? [table.schema.columns.first?.name].compactMap { $0 } : table.schema.primaryKey
        return key.map { SelectItem.column(name: $0, alias: nil, cast: nil) }
    }

    /// Inserts and updates into a tenant's own store need room under its storage quota (deletes never do:
    /// they free it).
    private func ensureRoom(_ request: Request, _ api: APIRegistry.Mounted) async throws {
        guard api.definition.sourceKind == .tenantStore else { return }
        try await request.berqenas.platform.remoteDatabases.storage.ensureRoom(api.tenant)
    }

    /// Reads the body (up to `maxBody`, else 413): only after the caller was admitted, so that no one unknown
    /// makes the hub hold megabytes.
    private func collectBody(_ request: Request) async throws {
        do {
            _ = try await request.body.collect(max: Self.maxBody.value).get()
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw AutoAPIError(status: 413, code: "payload_too_large", message: "the body is larger than \(Self.maxBody.value) bytes")
        }
    }

    /// The request body as JSON (400 PGRST102 when it is not, or is sent as another media type, as PostgREST
    /// answers: its PGRST107 is about `Accept`).
    private func body(_ request: Request) throws -> JSONValue {
        if let type = request.headers.contentType, !(type.type == "application" && type.subType == "json") {
            throw AutoAPIError(
                status: 400, code: "PGRST102", message: "Content-Type \(type.serialize()) is not accepted",
                hint: "send application/json")
        }
        guard let buffer = request.body.data, buffer.readableBytes > 0 else {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid json", details: "the body is empty")
        }
        do {
            return try JSONValue.parse(Array(buffer.readableBytesView))
        } catch {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "Empty or invalid json", details: error.description)
        }
    }

    /// RFC 3986's unreserved characters: the only ones a `Location` header's parts keep as they are.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private func respond(
        _ request: Request, api: APIRegistry.Mounted, table: ServedTable, plan: WritePlan,
        preferences wanted: Preferences, created: Bool
    ) async throws -> Response {
        let format = wanted.returning == .representation ? try RestFormat(accept: request.headers.first(name: .accept)) : nil
        let rows = try await write(plan, api: api, preferences: wanted, single: format == .object, created: created)
        var headers = HTTPHeaders()
        // PostgREST's ranges: inserts `*/total`, updates and deletes the rows touched (`0-1/*`), the total only
        // when counted.
        let total = wanted.count != nil ? String(rows.count) : "*"
        headers.replaceOrAdd(name: "Content-Range", value: created || rows.isEmpty ? "*/\(total)" : "0-\(rows.count - 1)/\(total)")
        if !wanted.applied.isEmpty { headers.replaceOrAdd(name: "Preference-Applied", value: wanted.applied) }
        if created, wanted.returning == .headersOnly, rows.count == 1, let row = rows.first, !table.schema.primaryKey.isEmpty {
            // Every character outside RFC 3986's unreserved set is escaped: a key holding `&`, `=`, `+` or `#`
            // would otherwise point at another row, or at none.
            let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "" }
            let filters = zip(plan.columns, row.values).map { column, value in
                escape(column.name) + "=eq." + escape(api.flavor.filterText(value))
            }
            headers.replaceOrAdd(name: .location, value: "/" + escape(table.schema.table.name) + "?" + filters.joined(separator: "&"))
        }
        guard let format else { return Response(status: created ? .created : .noContent, headers: headers) }
        let body = try format.body(rows, columns: plan.columns, headers: &headers)
        return Response(status: created ? .created : .ok, headers: headers, body: .init(data: Data(body)))
    }

    /// A rolled-back write's rows, carried out of the transaction it undid.
    private struct DryRun: Error {
        let rows: [Row]
    }

    /// Runs the plan in one transaction; before the commit, refuses (so nothing changes) more than one row when
    /// one object was asked for, and more rows than `max-affected` under `handling=strict`; with `tx=rollback`
    /// undoes it all and returns what it would have done.
    private func write(_ plan: WritePlan, api: APIRegistry.Mounted, preferences wanted: Preferences, single: Bool, created: Bool) async throws
        -> [Row]
    {
        guard !plan.statements.isEmpty else { return [] }
        let limit = wanted.strict && !created ? wanted.maxAffected : nil
        let rollback = wanted.transaction == .rollback
        do {
            return try await api.connector.write(plan.statements, returning: plan.columns.map(\.value)) { rows in
                if single, rows.count != 1 { throw RestFormat.notOne(rows.count) }
                if let limit, rows.count > limit {
                    throw AutoAPIError(
                        status: 400, code: "PGRST124", message: "Query result exceeds max-affected preference constraint",
                        details: "The query affects \(rows.count) rows")
                }
                if rollback { throw DryRun(rows: rows) }
            }
        } catch let dryRun as DryRun {
            return dryRun.rows
        }
    }

    private func count(_ compiler: QueryCompiler, _ parsed: ReadRequest, _ api: APIRegistry.Mounted) async throws -> Int64? {
        let count = try compiler.count(parsed)
        let counted = try await api.connector.select(
            count.sql, binds: count.binds,
            columns: [
                ColumnSchema(name: "count", nativeType: "bigint", canonicalType: .integer(bits: 64))
            ])
        if case let .integer(value)? = counted.first?.values.first { return value }
        return nil
    }

    /// The `Prefer` headers; with `handling=strict`, one it does not understand is a 400 (PGRST122).
    private func preferences(_ request: Request) throws -> Preferences {
        let wanted = Preferences(headers: request.headers[canonicalForm: "Prefer"].map(String.init))
        if let failure = wanted.strictFailure { throw failure }
        return wanted
    }

    /// Runs a handler, shaping any failure as PostgREST does.
    private func answer(_ request: Request, _ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch { return RestErrors.response(for: error, request: request) }
    }
}
