import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Foundation
import Vapor

/// The generated APIs' writes: POST (inserts, upserts), PATCH and DELETE, planned by the compilers and run in
/// one transaction, answered as PostgREST answers them.
extension RestController {
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
            let plan = try compiler(api, table).insert(objects, options: options, returning: try returning(items, wanted, table, api))
            return try await respond(request, api: api, table: table, plan: plan, preferences: wanted, created: true)
        }
    }

    /// PATCH: the body's columns (those named in `columns=`, when given) set on every row the filters select.
    @Sendable
    func update(_ request: Request) async throws -> Response {
        try await filteredWrite(request, .update, verb: "UPDATE", readsBody: true) { compiler, filters, returning, body, items in
            try compiler.update(body ?? .object([]), filters: filters, returning: returning, only: try RequestParser.columns(items))
        }
    }

    /// DELETE: the rows the filters select.
    @Sendable
    func delete(_ request: Request) async throws -> Response {
        try await filteredWrite(request, .delete, verb: "DELETE", readsBody: false) { compiler, filters, returning, _, _ in
            try compiler.delete(filters: filters, returning: returning)
        }
    }

    /// A PATCH or DELETE: served table, filters (refused when there are none, unless allowed), the plan (given
    /// the body, read once, and the query items), the answer.
    func filteredWrite(
        _ request: Request, _ operation: APIOperation, verb: String, readsBody: Bool,
        plan: (QueryCompiler, [FilterNode], [SelectItem], JSONValue?, [(name: String, value: String)]) throws -> WritePlan
    ) async throws -> Response {
        await answer(request) {
            let (api, table) = try await served(request, for: operation)
            if readsBody {
                try await ensureRoom(request, api)
                try await collectBody(request)
            }
            let items = RestQueryString.items(request.url.query)
            let payload = readsBody ? try body(request) : nil
            // A body that sets nothing changes nothing, filtered or not (PostgREST answers it with no update).
            let setsNothing = payload.map(QueryCompiler.setsNothing) ?? false
            let parsed = try filtered(items, api: api, table: table, verb: verb, changesRows: !setsNothing)
            let wanted = try preferences(request)
            let made = try plan(compiler(api, table), parsed.filters, try returning(items, wanted, table, api), payload, items)
            return try await respond(request, api: api, table: table, plan: made, preferences: wanted, created: false)
        }
    }

    /// A PATCH's or DELETE's filters; without any, refused unless the API allows touching every row.
    func filtered(
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
    /// With embeds, the columns they match on follow (hidden): the embedded rows are read after the write.
    func returning(
        _ items: [(name: String, value: String)], _ wanted: Preferences, _ table: ServedTable, _ api: APIRegistry.Mounted
    ) throws -> [SelectItem] {
        if wanted.returning == .representation {
            guard table.operations.contains(.read) else {
                throw AutoAPIError(
                    status: 403, code: "42501", message: "return=representation needs the read operation on '\(table.schema.table.name)'",
                    hint: "Prefer: return=minimal, or grant read in the API's definition")
            }
            let select = try RequestParser.read(items).select
            if Aggregate.appears(in: select) {
                throw AutoAPIError.unsupported("aggregates in a write's representation are not served", hint: "read them with a GET")
            }
            return EmbeddingReader.embeds(select) ? try reader(api).returning(select, with: compiler(api, table)) : select
        }
        let key = table.schema.primaryKey.isEmpty ? [table.schema.columns.first?.name].compactMap { $0 } : table.schema.primaryKey
        return key.map { SelectItem.column(name: $0, alias: nil, cast: nil) }
    }

    /// Inserts and updates into a tenant's own store need room under its storage quota (deletes never do:
    /// they free it).
    func ensureRoom(_ request: Request, _ api: APIRegistry.Mounted) async throws {
        guard api.definition.sourceKind == .tenantStore else { return }
        try await request.berqenas.platform.remoteDatabases.storage.ensureRoom(api.tenant)
    }

    /// Reads the body (up to `maxBody`, else 413): only after the caller was admitted, so that no one unknown
    /// makes the hub hold megabytes.
    func collectBody(_ request: Request) async throws {
        do {
            _ = try await request.body.collect(max: Self.maxBody.value).get()
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw AutoAPIError(status: 413, code: "payload_too_large", message: "the body is larger than \(Self.maxBody.value) bytes")
        }
    }

    /// The request body as JSON, or `text/csv` read as the array of objects it stands for (400 PGRST102 when
    /// it is neither, or is sent as another media type, as PostgREST answers: its PGRST107 is about `Accept`).
    func body(_ request: Request) throws -> JSONValue {
        let type = request.headers.contentType
        if let type, type.type == "text", type.subType == "csv" {
            return try CSVBody.parse(request.body.data.map { Array($0.readableBytesView) } ?? [])
        }
        if let type, !(type.type == "application" && type.subType == "json") {
            throw AutoAPIError(
                status: 400, code: "PGRST102", message: "Content-Type \(type.serialize()) is not accepted",
                hint: "send application/json or text/csv")
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

    func respond(
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
        let representation = try RequestParser.read(RestQueryString.items(request.url.query))
        let body =
            EmbeddingReader.embeds(representation.select)
            ? try format.body(
                objects: try await reader(api).objects(rows, columns: plan.columns, request: representation, with: compiler(api, table)),
                headers: &headers)
            : try format.body(rows, columns: plan.columns, headers: &headers)
        return Response(status: created ? .created : .ok, headers: headers, body: .init(data: Data(body)))
    }

    /// A rolled-back write's rows, carried out of the transaction it undid.
    struct DryRun: Error {
        let rows: [Row]
    }

    /// Runs the plan in one transaction; before the commit, refuses (so nothing changes) more than one row when
    /// one object was asked for, and more rows than `max-affected` under `handling=strict`; with `tx=rollback`
    /// undoes it all and returns what it would have done.
    func write(_ plan: WritePlan, api: APIRegistry.Mounted, preferences wanted: Preferences, single: Bool, created: Bool) async throws
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
}
