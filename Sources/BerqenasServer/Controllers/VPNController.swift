import BerqenasPlatform
import Vapor

/// A tenant's WireGuard network.
struct VPNController {
    func register(on routes: any RoutesBuilder) {
        let vpn = routes.grouped("tenants", ":name", "vpn")
        vpn.on(.PUT, operation: Operation(
            id: "vpn.put",
            summary: "Enable (allocating a network, port, interface and hub keys the first time) or disable the tenant's VPN",
            tag: "vpn", requestBody: VPNBody.schema, responseBody: VPNResponse.schema, failureStatuses: [404, 409]
        ), use: put)
        vpn.on(.GET, operation: Operation(
            id: "vpn.show", summary: "The tenant's VPN: network, hub address and key, endpoint, state and backend", tag: "vpn",
            responseBody: VPNResponse.schema, failureStatuses: [404]
        ), use: show)
    }

    @Sendable
    func put(_ request: Request) async throws -> VPNResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(VPNBody.self)
        let service = request.berqenas.platform.vpn
        return VPNResponse(try await service.setEnabled(body.enabled, tenant: tenant), service: service)
    }

    @Sendable
    func show(_ request: Request) async throws -> VPNResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        let service = request.berqenas.platform.vpn
        return VPNResponse(try await service.network(of: tenant), service: service)
    }
}
