import BerqenasPlatform
import Vapor

/// Tenants and their stores.
struct TenantController {
    func register(on routes: any RoutesBuilder) {
        let tenants = routes.grouped("tenants")
        tenants.on(
            .POST,
            operation: Operation(
                id: "tenants.create", summary: "Create a tenant and its store (admin)", tag: "tenants",
                requestBody: CreateTenantRequest.schema, successStatus: 201, responseBody: TenantResponse.schema,
                failureStatuses: [409]
            ), use: create)
        tenants.on(
            .GET,
            operation: Operation(
                id: "tenants.list", summary: "List tenants (tenant users see their own)", tag: "tenants",
                responseBody: Page<TenantResponse>.schema(of: TenantResponse.schema), query: PageRequest.parameters,
                failureStatuses: [422]
            ), use: list)
        tenants.on(
            .GET, ":name",
            operation: Operation(
                id: "tenants.show", summary: "One tenant", tag: "tenants", responseBody: TenantResponse.schema,
                failureStatuses: [404]
            ), use: show)
        tenants.on(
            .PATCH, ":name",
            operation: Operation(
                id: "tenants.update",
                summary: "Change display name, subdomain, VPN flag (tenant admin or admin); status and quotas (admin)",
                tag: "tenants", requestBody: UpdateTenantRequest.schema, responseBody: TenantResponse.schema,
                failureStatuses: [404, 409]
            ), use: update)
        tenants.on(
            .DELETE, ":name",
            operation: Operation(
                id: "tenants.delete",
                summary: "Suspend a tenant; with permanent=true, drop a suspended tenant and its store irreversibly (admin)",
                tag: "tenants", successStatus: 200, alternativeEmptySuccess: 204, responseBody: TenantResponse.schema,
                query: [.init(name: "permanent", schema: .boolean, description: "drop the suspended tenant for good")],
                failureStatuses: [404, 409, 422]
            ), use: delete)
        tenants.on(
            .GET, ":name", "connection",
            operation: Operation(
                id: "tenants.connection",
                summary: "How to reach the tenant's store; with reveal=true the password, for admins and the tenant's admins (audited)",
                tag: "tenants", responseBody: ConnectionResponse.schema,
                query: [
                    .init(
                        name: "reveal", schema: .boolean,
                        description: "include the password (admins and tenant admins; each reveal is audited)")
                ], failureStatuses: [404, 422]
            ), use: connection)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        try request.requireCaller().requireAdmin()
        let body = try request.content.decode(CreateTenantRequest.self)
        request.auditContext.tenant = body.name
        request.auditContext.target = "tenant:\(body.name)"
        let tenant = try await request.berqenas.platform.tenants.create(
            .init(
                name: body.name, displayName: body.displayName, subdomain: body.subdomain,
                vpnEnabled: body.vpnEnabled ?? false, quotas: body.quotas?.applied(to: .defaults) ?? .defaults
            ))
        return try await TenantResponse(tenant).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func list(_ request: Request) async throws -> Page<TenantResponse> {
        let caller = try request.requireCaller()
        let page = try PageRequest(request)
        if !caller.isAdmin, caller.tenantID == nil { throw PlatformError.forbidden("no tenant") }
        let result = try await request.berqenas.platform.tenants.list(
            limit: page.limit, offset: page.offset, onlyID: caller.isAdmin ? nil : caller.tenantID
        )
        return Page(
            items: try result.items.map(TenantResponse.init), total: result.total,
            limit: page.limit, offset: page.offset)
    }

    @Sendable
    func show(_ request: Request) async throws -> TenantResponse {
        try TenantResponse(try await readableTenant(request))
    }

    @Sendable
    func update(_ request: Request) async throws -> TenantResponse {
        let caller = try request.requireCaller()
        let tenant = try await readableTenant(request)
        try caller.requireWrite(tenant: tenant.requireID())
        let body = try request.content.decode(UpdateTenantRequest.self)
        if body.status != nil || body.quotas != nil { try caller.requireAdmin() }
        let updated = try await request.berqenas.platform.tenants.update(
            tenant,
            with: .init(
                displayName: body.displayName, subdomain: body.subdomain, vpnEnabled: body.vpnEnabled,
                status: body.status, quotas: body.quotas?.applied(to: tenant.quotas)
            ))
        if body.status != nil {
            await request.berqenas.platform.apis.registry.forget(tenant: tenant.name)
            await request.berqenas.platform.vpn.reconciler.reconcileAll()  // tunnels and publications follow the status
        }
        return try TenantResponse(updated)
    }

    @Sendable
    func delete(_ request: Request) async throws -> Response {
        try request.requireCaller().requireAdmin()
        let tenant = try await readableTenant(request)
        let service = request.berqenas.platform.tenants
        let apis = request.berqenas.platform.apis.registry
        guard try permanentFlag(request) else {
            let suspended = try await service.suspend(tenant)
            await apis.forget(tenant: tenant.name)  // its APIs go read-only at once
            await request.berqenas.platform.vpn.reconciler.reconcileAll()  // its tunnels and publications close
            return try await TenantResponse(suspended).encodeResponse(for: request)
        }
        try await service.destroy(tenant)
        await apis.forget(tenant: tenant.name)
        return Response(status: .noContent)
    }

    private func permanentFlag(_ request: Request) throws -> Bool {
        switch request.query[String.self, at: "permanent"]?.lowercased() {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw PlatformError.validation(field: "permanent", "must be true or false")
        }
    }

    @Sendable
    func connection(_ request: Request) async throws -> ConnectionResponse {
        let caller = try request.requireCaller()
        let tenant = try await readableTenant(request)
        // Asked for, not given with every look at the page: each reveal is an audit entry that means something.
        let reveal = try request.query.get(Bool?.self, at: "reveal") == true && (caller.isAdmin || caller.role == .tenantAdmin)
        request.auditContext.target = "tenant:\(tenant.name)"
        let info = try request.berqenas.platform.tenants.connectionInfo(for: tenant, revealPassword: reveal)
        if reveal, info.password != nil {
            try await request.berqenas.platform.audit.record(
                AuditEntry(
                    occurredAt: Date(), actor: caller.username, tenant: tenant.name, action: "tenants.connection.reveal",
                    target: "tenant:\(tenant.name)", outcome: "success", statusCode: 200,
                    clientAddress: request.remoteAddress?.ipAddress
                ))
        }
        return ConnectionResponse(info)
    }

    /// The tenant named in the path, if the caller may read it. Another tenant's name answers 403 before
    /// any lookup, so a tenant user cannot learn which other tenants exist.
    private func readableTenant(_ request: Request) async throws -> Tenant {
        let caller = try request.requireCaller()
        let name = try request.parameters.require("name")
        request.auditContext.tenant = name
        request.auditContext.target = "tenant:\(name)"
        if !caller.isAdmin, caller.tenantName != name { throw PlatformError.forbidden("you may not access another tenant") }
        let tenant = try await request.berqenas.platform.tenants.find(name)
        try caller.requireRead(tenant: tenant.requireID())
        return tenant
    }
}
