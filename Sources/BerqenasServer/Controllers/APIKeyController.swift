import BerqenasPlatform
import Vapor

/// Keys of a tenant's generated APIs.
struct APIKeyController {
    func register(on routes: any RoutesBuilder) {
        let keys = routes.grouped("tenants", ":name", "apis", ":api", "keys")
        keys.on(
            .POST,
            operation: Operation(
                id: "apis.keys.create", summary: "Make a key for the API (the key is shown once, in this answer)", tag: "apis",
                requestBody: APIKeyBody.schema, successStatus: 201, responseBody: APIKeyResponse.schema(withSecret: true), failureStatuses: [404]
            ), use: create)
        keys.on(
            .GET,
            operation: Operation(
                id: "apis.keys.list", summary: "The API's keys, by prefix", tag: "apis", responseBody: APIKeyList.schema, failureStatuses: [404]
            ), use: list)
        keys.on(
            .DELETE, ":key",
            operation: Operation(
                id: "apis.keys.revoke", summary: "Revoke a key (refused from the next request on)", tag: "apis", successStatus: 204,
                failureStatuses: [404]
            ), use: revoke)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        let (tenant, _) = try await TenantScope.writable(request)
        let definition = try await definition(request, tenant)
        let body = try request.content.decode(APIKeyBody.self)
        let (key, secret) = try await request.berqenas.platform.apis.keys.create(try body.request(), for: definition, tenant: tenant)
        request.auditContext.target = "api:\(definition.name) key:\(key.prefix)"
        return try await APIKeyResponse(key, secret: secret).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func list(_ request: Request) async throws -> APIKeyList {
        let (tenant, _) = try await TenantScope.readable(request)
        let keys = try await request.berqenas.platform.apis.keys.list(for: try await definition(request, tenant))
        return APIKeyList(items: try keys.map { try APIKeyResponse($0) })
    }

    @Sendable
    func revoke(_ request: Request) async throws -> HTTPStatus {
        let (tenant, _) = try await TenantScope.writable(request)
        let definition = try await definition(request, tenant)
        let id = try TenantScope.id(request, "key", what: "API key")
        try await request.berqenas.platform.apis.keys.revoke(id, of: definition, tenant: tenant)
        return .noContent
    }

    private func definition(_ request: Request, _ tenant: Tenant) async throws -> APIDefinition {
        let name = request.parameters.get("api") ?? ""
        request.auditContext.target = "api:\(name)"
        return try await request.berqenas.platform.apis.find(name, tenant: tenant)
    }
}
