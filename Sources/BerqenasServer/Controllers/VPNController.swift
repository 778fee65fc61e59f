import BerqenasNetwork
import BerqenasPlatform
import Vapor

/// A tenant's WireGuard network.
struct VPNController {
    func register(on routes: any RoutesBuilder) {
        let vpn = routes.grouped("tenants", ":name", "vpn")
        vpn.on(
            .PUT,
            operation: Operation(
                id: "vpn.put",
                summary: "Enable (allocating a network, port, interface and hub keys the first time) or disable the tenant's VPN",
                tag: "vpn", requestBody: VPNBody.schema, responseBody: VPNResponse.schema, failureStatuses: [404, 409]
            ), use: put)
        vpn.on(
            .GET,
            operation: Operation(
                id: "vpn.show", summary: "The tenant's VPN: network, hub address and key, endpoint, state and backend", tag: "vpn",
                responseBody: VPNResponse.schema, failureStatuses: [404]
            ), use: show)
        let peers = vpn.grouped("peers")
        peers.on(
            .POST,
            operation: Operation(
                id: "vpn.peers.create",
                summary: "Add a peer; without public_key the hub generates the keys and the response carries the wg-quick config once",
                tag: "vpn", requestBody: VPNPeerRequest.schema, successStatus: 201, responseBody: VPNPeerResponse.schema,
                failureStatuses: [404, 409]
            ), use: create)
        peers.on(
            .GET,
            operation: Operation(
                id: "vpn.peers.list", summary: "The network's peers (never private keys)", tag: "vpn",
                responseBody: VPNPeerList.schema, failureStatuses: [404]
            ), use: list)
        peers.on(
            .GET, ":id",
            operation: Operation(
                id: "vpn.peers.show", summary: "One peer", tag: "vpn", responseBody: VPNPeerResponse.schema, failureStatuses: [404]
            ), use: showPeer)
        peers.on(
            .GET, ":id", "config",
            operation: Operation(
                id: "vpn.peers.config",
                summary:
                    "The peer's wg-quick file (hub-generated keys only), or with format=qr the file as a QR code (PNG); each download is audited",
                tag: "vpn", responseBody: .string, responseIsPlainText: true, alsoAnswersPNG: true,
                query: [
                    .init(
                        name: "format", schema: .string(required: false, allowedValues: ["text", "qr"]),
                        description: "text (the default): the wg-quick file; qr: a PNG QR code of it")
                ],
                failureStatuses: [404, 409, 422]
            ), use: config)
        peers.on(
            .POST, ":id", "check",
            operation: Operation(
                id: "vpn.peers.check",
                summary: "A TCP connect through the tunnel to a port of the peer (3 s timeout): reachable and latency, or why not",
                tag: "vpn", requestBody: PeerCheckBody.schema, responseBody: PeerCheckResponse.schema, failureStatuses: [404]
            ), use: check)
        peers.on(
            .DELETE, ":id",
            operation: Operation(
                id: "vpn.peers.revoke", summary: "Revoke a peer: it leaves the network at once; its address is reused only after the grace period",
                tag: "vpn", successStatus: 204, failureStatuses: [404]
            ), use: revoke)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(VPNPeerRequest.self)
        let (peer, config) = try await request.berqenas.platform.vpnPeers.add(body, tenant: tenant)
        request.auditContext.target = "vpn-peer:\(try peer.requireID().uuidString)"
        return try await VPNPeerResponse(peer, config: config).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func list(_ request: Request) async throws -> VPNPeerList {
        let (tenant, _) = try await TenantScope.readable(request)
        return VPNPeerList(items: try await request.berqenas.platform.vpnPeers.list(tenant: tenant).map { try VPNPeerResponse($0) })
    }

    @Sendable
    func showPeer(_ request: Request) async throws -> VPNPeerResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        return try VPNPeerResponse(try await peer(request, tenant))
    }

    @Sendable
    func config(_ request: Request) async throws -> Response {
        let (tenant, _) = try await TenantScope.writable(request)
        let format = try request.query.get(String?.self, at: "format") ?? "text"
        guard ["text", "qr"].contains(format) else {
            throw PlatformError.validation(field: "format", "text (the wg-quick file) or qr (a PNG QR code of it), got '\(format)'")
        }
        request.auditContext.auditRead = true
        let peer = try await peer(request, tenant)
        let text = try await request.berqenas.platform.vpnPeers.config(of: peer, tenant: tenant)
        let fileName = peer.name.filter { $0.isLetter || $0.isNumber }.prefix(15)
        var headers = HTTPHeaders()
        if format == "qr" {
            headers.contentType = .png
            headers.add(name: .contentDisposition, value: "attachment; filename=\"\(fileName).png\"")
            return Response(status: .ok, headers: headers, body: .init(data: Data(try QRCode(encoding: text).png())))
        }
        headers.contentType = .plainText
        headers.add(name: .contentDisposition, value: "attachment; filename=\"\(fileName).conf\"")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    @Sendable
    func check(_ request: Request) async throws -> PeerCheckResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(PeerCheckBody.self)
        return PeerCheckResponse(try await request.berqenas.platform.vpnPeers.check(try await peer(request, tenant), port: body.port))
    }

    @Sendable
    func revoke(_ request: Request) async throws -> HTTPStatus {
        let (tenant, _) = try await TenantScope.writable(request)
        try await request.berqenas.platform.vpnPeers.revoke(try await peer(request, tenant))
        return .noContent
    }

    private func peer(_ request: Request, _ tenant: Tenant) async throws -> VPNPeer {
        let id = try TenantScope.id(request, "id", what: "peer")
        request.auditContext.target = "vpn-peer:\(id.uuidString)"
        return try await request.berqenas.platform.vpnPeers.find(id, tenant: tenant)
    }

    @Sendable
    func put(_ request: Request) async throws -> VPNResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        let body = try request.content.decode(VPNBody.self)
        let service = request.berqenas.platform.vpn
        return await VPNResponse(try await service.setEnabled(body.enabled, spokeToSpoke: body.spokeToSpoke, tenant: tenant), service: service)
    }

    @Sendable
    func show(_ request: Request) async throws -> VPNResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        let service = request.berqenas.platform.vpn
        return await VPNResponse(try await service.network(of: tenant), service: service)
    }
}
