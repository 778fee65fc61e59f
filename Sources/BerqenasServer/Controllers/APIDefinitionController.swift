import BerqenasPlatform
import Vapor

/// Defining a tenant's generated APIs.
struct APIDefinitionController {
    func register(on routes: any RoutesBuilder) {
        let apis = routes.grouped("tenants", ":name", "apis")
        apis.on(
            .POST,
            operation: Operation(
                id: "apis.create", summary: "Define a REST API over the tenant store or a remote database (served at once under /rest/v1)",
                tag: "apis", requestBody: APIDefinitionRequest.schema(creating: true), successStatus: 201,
                responseBody: APIDefinitionResponse.schema, failureStatuses: [404, 409, 502]
            ), use: create)
        apis.on(
            .GET,
            operation: Operation(
                id: "apis.list", summary: "The tenant's APIs", tag: "apis", responseBody: APIDefinitionList.schema, failureStatuses: [404]
            ), use: list)
        apis.on(
            .GET, ":api",
            operation: Operation(
                id: "apis.show", summary: "One API with the tables and columns it serves", tag: "apis",
                responseBody: APIDefinitionResponse.schema, failureStatuses: [404]
            ), use: show)
        apis.on(
            .PATCH, ":api",
            operation: Operation(
                id: "apis.update", summary: "Change an API (effective on the next request)", tag: "apis",
                requestBody: APIDefinitionRequest.schema(creating: false), responseBody: APIDefinitionResponse.schema,
                failureStatuses: [404, 502]
            ), use: update)
        apis.on(
            .POST, ":api", "refresh",
            operation: Operation(
                id: "apis.refresh", summary: "Introspect the source again", tag: "apis", responseBody: APIDefinitionResponse.schema,
                failureStatuses: [404, 422, 502]
            ), use: refresh)
        apis.on(
            .DELETE, ":api",
            operation: Operation(
                id: "apis.delete", summary: "Delete an API (gone on the next request)", tag: "apis", successStatus: 204, failureStatuses: [404]
            ), use: delete)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(APIDefinitionRequest.self)
        let definition = try await request.berqenas.platform.apis.create(body, tenant: tenant)
        request.auditContext.target = "api:\(definition.name)"
        return try await APIDefinitionResponse(definition, tenant: tenant).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func list(_ request: Request) async throws -> APIDefinitionList {
        let (tenant, _) = try await TenantScope.readable(request)
        return APIDefinitionList(
            items: try await request.berqenas.platform.apis.list(tenant: tenant).map { try APIDefinitionResponse($0, tenant: tenant) })
    }

    @Sendable
    func show(_ request: Request) async throws -> APIDefinitionResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        return try APIDefinitionResponse(try await definition(request, tenant), tenant: tenant)
    }

    @Sendable
    func update(_ request: Request) async throws -> APIDefinitionResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(APIDefinitionRequest.self)
        let service = request.berqenas.platform.apis
        return try APIDefinitionResponse(
            try await service.update(try await definition(request, tenant), with: body, tenant: tenant),
            tenant: tenant)
    }

    @Sendable
    func refresh(_ request: Request) async throws -> APIDefinitionResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        return try APIDefinitionResponse(
            try await request.berqenas.platform.apis.refresh(try await definition(request, tenant), tenant: tenant),
            tenant: tenant)
    }

    @Sendable
    func delete(_ request: Request) async throws -> HTTPStatus {
        let (tenant, _) = try await TenantScope.writable(request)
        try await request.berqenas.platform.apis.delete(try await definition(request, tenant), tenant: tenant)
        return .noContent
    }

    private func definition(_ request: Request, _ tenant: Tenant) async throws -> APIDefinition {
        let name = request.parameters.get("api") ?? ""
        request.auditContext.target = "api:\(name)"
        return try await request.berqenas.platform.apis.find(name, tenant: tenant)
    }
}
