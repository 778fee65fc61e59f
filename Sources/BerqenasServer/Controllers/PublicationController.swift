import BerqenasPlatform
import Vapor

/// A tenant's services published on hub ports.
struct PublicationController {
    func register(on routes: any RoutesBuilder) {
        let publications = routes.grouped("tenants", ":name", "publications")
        publications.on(
            .POST,
            operation: Operation(
                id: "publications.create",
                summary: "Publish a peer's TCP service on a hub port (unique across tenants), reachable only from allowed_cidrs",
                tag: "vpn", requestBody: PublicationRequest.schema(creating: true), successStatus: 201,
                responseBody: PublicationResponse.schema, failureStatuses: [404, 409]
            ), use: create)
        publications.on(
            .GET,
            operation: Operation(
                id: "publications.list", summary: "The tenant's publications", tag: "vpn",
                responseBody: PublicationList.schema, failureStatuses: [404]
            ), use: list)
        publications.on(
            .GET, ":id",
            operation: Operation(
                id: "publications.show", summary: "One publication", tag: "vpn", responseBody: PublicationResponse.schema, failureStatuses: [404]
            ), use: show)
        publications.on(
            .PATCH, ":id",
            operation: Operation(
                id: "publications.update", summary: "Change a publication; enabled false closes the path at once, open connections included",
                tag: "vpn", requestBody: PublicationRequest.schema(creating: false), responseBody: PublicationResponse.schema,
                failureStatuses: [404, 409]
            ), use: update)
        publications.on(
            .GET, ":id", "stats",
            operation: Operation(
                id: "publications.stats", summary: "Connections and bytes carried since the publication was made", tag: "vpn",
                responseBody: PublicationStats.schema, failureStatuses: [404]
            ), use: stats)
        publications.on(
            .DELETE, ":id",
            operation: Operation(
                id: "publications.delete", summary: "Remove a publication (its open connections are cut)", tag: "vpn",
                successStatus: 204, failureStatuses: [404]
            ), use: remove)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(PublicationRequest.self)
        let service = request.berqenas.platform.publications
        let publication = try await service.create(body, tenant: tenant)
        request.auditContext.target = "publication:\(try publication.requireID().uuidString)"
        return try await PublicationResponse(try await service.view(publication)).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func list(_ request: Request) async throws -> PublicationList {
        let (tenant, _) = try await TenantScope.readable(request)
        let service = request.berqenas.platform.publications
        var items: [PublicationResponse] = []
        for publication in try await service.list(tenant: tenant) { items.append(try PublicationResponse(try await service.view(publication))) }
        return PublicationList(items: items)
    }

    @Sendable
    func show(_ request: Request) async throws -> PublicationResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        return try PublicationResponse(try await request.berqenas.platform.publications.view(try await publication(request, tenant)))
    }

    @Sendable
    func update(_ request: Request) async throws -> PublicationResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(PublicationRequest.self)
        let service = request.berqenas.platform.publications
        let updated = try await service.update(try await publication(request, tenant), with: body, tenant: tenant)
        return try PublicationResponse(try await service.view(updated))
    }

    @Sendable
    func stats(_ request: Request) async throws -> PublicationStats {
        let (tenant, _) = try await TenantScope.readable(request)
        let service = request.berqenas.platform.publications
        let fresh = try await service.withFreshTraffic(try await publication(request, tenant), tenant: tenant)
        return PublicationStats(
            id: try fresh.requireID(), connections: Int(fresh.connections), bytesIn: Int(fresh.bytesIn),
            bytesOut: Int(fresh.bytesOut), mode: await service.mode().rawValue)
    }

    @Sendable
    func remove(_ request: Request) async throws -> HTTPStatus {
        let (tenant, _) = try await TenantScope.writable(request)
        try await request.berqenas.platform.publications.remove(try await publication(request, tenant))
        return .noContent
    }

    private func publication(_ request: Request, _ tenant: Tenant) async throws -> Publication {
        let id = try TenantScope.id(request, "id", what: "publication")
        request.auditContext.target = "publication:\(id.uuidString)"
        return try await request.berqenas.platform.publications.find(id, tenant: tenant)
    }
}
