import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Vapor

/// `/rest/v1/{tenant}/{api}/{table}`: the generated APIs, in PostgREST's grammar and error shape.
struct RestController {
    func register(on app: Application) {
        app.on(.GET, "rest", "v1", ":tenant", ":api", ":table", use: read)
        app.on(.HEAD, "rest", "v1", ":tenant", ":api", ":table", use: read)
    }

    @Sendable
    func read(_ request: Request) async throws -> Response {
        do {
            let api = try await request.berqenas.platform.apis.registry.mount(
                tenant: request.parameters.get("tenant") ?? "", api: request.parameters.get("api") ?? "")
            try await RestAccess.check(request, api: api, writing: false)
            let name = request.parameters.get("table") ?? ""
            guard let table = api.tables[name], table.operations.contains(.read) else {
                throw AutoAPIError(status: 404, code: "PGRST205", message: "Could not find the table '\(name)' in this API",
                                   hint: "GET /api/v1/tenants/{tenant}/apis/{api} lists the tables it serves")
            }
            var parsed = try RequestParser.read(RestQueryString.items(request.url.query))
            try RestRange.apply(request.headers, to: &parsed)
            let format = try RestFormat(accept: request.headers.first(name: .accept))
            let compiler = QueryCompiler(flavor: api.flavor, table: table.schema)
            let query = try compiler.select(parsed, maxRows: api.definition.maxRows)
            let rows = try await api.connector.select(query.sql, binds: query.binds, columns: query.columns.map(\.value))
            var total: Int64?
            if request.headers.first(name: "Prefer")?.contains("count=exact") == true {
                let count = try compiler.count(parsed)
                let counted = try await api.connector.select(count.sql, binds: count.binds, columns: [
                    ColumnSchema(name: "count", nativeType: "bigint", canonicalType: .integer(bits: 64)),
                ])
                if case let .integer(value)? = counted.first?.values.first { total = value }
            }
            let first = parsed.offset ?? 0
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: "Content-Range", value: (rows.isEmpty ? "*" : "\(first)-\(first + rows.count - 1)") + "/\(total.map(String.init) ?? "*")")
            let body = try format.body(rows, columns: query.columns, headers: &headers)
            let partial = total.map { Int64(first + rows.count) < $0 || first > 0 } ?? false
            let status: HTTPResponseStatus = partial && request.headers.first(name: "Range") != nil ? .partialContent : .ok
            return Response(status: status, headers: headers, body: request.method == .HEAD ? .empty : .init(data: Data(body)))
        } catch {
            return RestErrors.response(for: error, request: request)
        }
    }
}
