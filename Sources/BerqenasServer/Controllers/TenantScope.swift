import BerqenasPlatform
import Vapor

/// The tenant named by the `:name` parameter of `/tenants/:name/…` paths, checked against the caller.
enum TenantScope {
    /// The tenant, when the caller may read it (another tenant's name answers 403 before any lookup).
    static func readable(_ request: Request) async throws -> (Tenant, Caller) {
        let caller = try request.requireCaller()
        let name = try request.parameters.require("name")
        request.auditContext.tenant = name
        request.logger[metadataKey: "tenant"] = .string(name)
        if !caller.isAdmin, caller.tenantName != name { throw PlatformError.forbidden("you may not access another tenant") }
        let tenant = try await request.berqenas.platform.tenants.find(name)
        try caller.requireRead(tenant: tenant.requireID())
        return (tenant, caller)
    }

    /// The tenant, when the caller may change things in it.
    static func writable(_ request: Request) async throws -> (Tenant, Caller) {
        let (tenant, caller) = try await readable(request)
        try caller.requireWrite(tenant: tenant.requireID())
        if tenant.status == .suspended {
            throw PlatformError(code: "tenant_suspended", status: 403, message: "tenant '\(tenant.name)' is suspended: it is read-only")
        }
        return (tenant, caller)
    }

    /// A UUID path parameter, or 404 naming what was looked for.
    static func id(_ request: Request, _ name: String, what: String) throws -> UUID {
        let text = try request.parameters.require(name)
        guard let id = UUID(uuidString: text) else { throw PlatformError.notFound(what, text) }
        return id
    }

    /// The remote database named by the `:id` parameter, within `tenant`.
    static func remoteDatabase(_ request: Request, of tenant: Tenant) async throws -> RemoteDatabase {
        let id = try Self.id(request, "id", what: "remote database")
        request.auditContext.target = "remote-database:\(id.uuidString)"
        return try await request.berqenas.platform.remoteDatabases.find(id, tenant: tenant)
    }
}
