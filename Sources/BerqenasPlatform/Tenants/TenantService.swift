import FluentKit
import Foundation

/// Creates, changes, suspends and removes tenants together with their stores.
package struct TenantService: Sendable {
    let database: any Database
    let stores: any TenantStoreBackend
    let secrets: SecretBox
    let hooks: ProvisioningHooks
    let events: EventLog

    /// Creates the service.
    package init(
        database: any Database, stores: any TenantStoreBackend, secrets: SecretBox,
        hooks: ProvisioningHooks = ProvisioningHooks(), events: EventLog? = nil
    ) {
        self.events = events ?? EventLog(database: database)
        self.database = database
        self.stores = stores
        self.secrets = secrets
        self.hooks = hooks
    }

    /// What a new tenant is made from.
    package struct CreateRequest: Sendable {
        package var name: String
        package var displayName: String?
        package var subdomain: String?
        package var vpnEnabled: Bool
        package var quotas: TenantQuotas

        /// Creates a request.
        package init(
            name: String, displayName: String? = nil, subdomain: String? = nil, vpnEnabled: Bool = false,
            quotas: TenantQuotas = .defaults
        ) {
            self.name = name
            self.displayName = displayName
            self.subdomain = subdomain
            self.vpnEnabled = vpnEnabled
            self.quotas = quotas
        }
    }

    /// Creates the tenant and its store, all or nothing.
    /// - Throws: 422 for a bad field, 409 when the name, subdomain or store already exists.
    package func create(_ request: CreateRequest) async throws -> Tenant {
        try TenantNameRules.validateName(request.name)
        if let displayName = request.displayName { try TenantNameRules.validateDisplayName(displayName) }
        if let subdomain = request.subdomain { try TenantNameRules.validateSubdomain(subdomain) }
        try request.quotas.validate()
        try await ensureUnique(name: request.name, subdomain: request.subdomain)

        let tenant = Tenant(
            name: request.name, displayName: request.displayName ?? request.name, subdomain: request.subdomain,
            vpnEnabled: request.vpnEnabled, quotas: request.quotas
        )
        let rolePassword = stores.engine == .postgresql ? SecretGenerator.alphanumeric(length: 32) : nil
        if let rolePassword {
            tenant.rolePasswordSealed = try secrets.seal(rolePassword, context: Self.secretContext(tenant.name))
        }
        do {
            try await database.transaction { transaction in
                try await tenant.create(on: transaction)
                try await stores.provision(tenant, rolePassword: rolePassword, on: transaction)
                try await hooks.afterStoreProvisioned(tenant.name)
            }
        } catch {
            await stores.discardFailedProvision(tenant)
            if let platformError = error as? PlatformError { throw platformError }
            // A concurrent create of the same name loses the unique index race; report it as the conflict it is.
            try await ensureUnique(name: request.name, subdomain: request.subdomain)
            throw PlatformError(
                code: "provisioning_failed", status: 500,
                message: "the tenant store could not be created; nothing was kept", details: ["tenant": request.name]
            )
        }
        await events.announce(
            .tenantCreated, tenant: tenant, subject: "tenant:\(tenant.name)", message: "tenant '\(tenant.name)' was created",
            data: [("tenant_id", .id(try tenant.requireID()))])
        return tenant
    }

    /// A page of tenants, optionally limited to one (for tenant-scoped callers).
    package func list(limit: Int, offset: Int, onlyID: UUID?) async throws -> (items: [Tenant], total: Int) {
        var query = Tenant.query(on: database)
        if let onlyID { query = query.filter(\.$id == onlyID) }
        let total = try await query.count()
        let items = try await query.sort(\.$name).range(offset..<(offset + limit)).all()
        return (items, total)
    }

    /// The tenant called `name`.
    /// - Throws: 404 when there is none.
    package func find(_ name: String) async throws -> Tenant {
        guard let tenant = try await Tenant.query(on: database).filter(\.$name == name).first() else {
            throw PlatformError.notFound("tenant", name)
        }
        return tenant
    }

    /// What may change on an existing tenant.
    package struct UpdateRequest: Sendable {
        package var displayName: String?
        package var subdomain: String??
        package var vpnEnabled: Bool?
        package var status: TenantStatus?
        package var quotas: TenantQuotas?

        /// Creates a request; nil fields stay as they are.
        package init(
            displayName: String? = nil, subdomain: String?? = nil, vpnEnabled: Bool? = nil,
            status: TenantStatus? = nil, quotas: TenantQuotas? = nil
        ) {
            self.displayName = displayName
            self.subdomain = subdomain
            self.vpnEnabled = vpnEnabled
            self.status = status
            self.quotas = quotas
        }
    }

    /// Applies `request` to the tenant and its store in one transaction.
    package func update(_ tenant: Tenant, with request: UpdateRequest) async throws -> Tenant {
        if let displayName = request.displayName {
            try TenantNameRules.validateDisplayName(displayName)
            tenant.displayName = displayName
        }
        if let subdomain = request.subdomain {
            if let subdomain {
                try TenantNameRules.validateSubdomain(subdomain)
                if subdomain != tenant.subdomain { try await ensureUnique(name: nil, subdomain: subdomain) }
            }
            tenant.subdomain = subdomain
        }
        if let vpnEnabled = request.vpnEnabled { tenant.vpnEnabled = vpnEnabled }
        if let quotas = request.quotas {
            try quotas.validate()
            tenant.quotas = quotas
        }
        let statusChange = request.status.flatMap { $0 == tenant.status ? nil : $0 }
        if let statusChange { tenant.status = statusChange }
        try await database.transaction { transaction in
            try await tenant.save(on: transaction)
            if request.quotas != nil { try await stores.applyQuotas(tenant, on: transaction) }
            if let statusChange {
                try await stores.setLoginEnabled(statusChange == .active, for: tenant, on: transaction)
            }
        }
        if let statusChange {
            let suspended = statusChange == .suspended
            await events.announce(
                suspended ? .tenantSuspended : .tenantReactivated, tenant: tenant, subject: "tenant:\(tenant.name)",
                message: "tenant '\(tenant.name)' is \(suspended ? "suspended: its syncs, APIs and logins stop" : "active again")",
                data: [("tenant_id", .id(try tenant.requireID()))])
        }
        return tenant
    }

    /// Takes the tenant out of service; its data stays.
    package func suspend(_ tenant: Tenant) async throws -> Tenant {
        try await update(tenant, with: UpdateRequest(status: .suspended))
    }

    /// Drops a suspended tenant's store, its users and its record, irreversibly.
    /// - Throws: 409 when the tenant is still active.
    package func destroy(_ tenant: Tenant) async throws {
        guard tenant.status == .suspended else {
            throw PlatformError.conflict(
                "tenant_active", "tenant '\(tenant.name)' is active; suspend it before deleting it permanently"
            )
        }
        try await database.transaction { transaction in
            try await User.query(on: transaction).filter(\.$tenant.$id == tenant.requireID()).delete()
            try await tenant.delete(on: transaction)
            try await stores.destroy(tenant, on: transaction)
        }
        events.tenantNames.forget(try tenant.requireID())
        // The tenant's own events went with it: admins hear of it among the platform's.
        await events.announce(
            .tenantDeleted, tenant: nil, subject: "tenant:\(tenant.name)", message: "tenant '\(tenant.name)' and its data were deleted",
            data: [("tenant_id", .id(try tenant.requireID())), ("tenant", .string(tenant.name))])
    }

    /// The store's connection details; the password is included only when `revealPassword` is true.
    package func connectionInfo(for tenant: Tenant, revealPassword: Bool) throws -> TenantConnectionInfo {
        var info = stores.connectionInfo(for: tenant)
        if revealPassword, let sealed = tenant.rolePasswordSealed {
            info.password = try secrets.open(sealed, context: Self.secretContext(tenant.name))
        }
        return info
    }

    static func secretContext(_ tenantName: String) -> String { "tenant-role:\(tenantName)" }

    private func ensureUnique(name: String?, subdomain: String?) async throws {
        if let name, try await Tenant.query(on: database).filter(\.$name == name).first() != nil {
            throw PlatformError.conflict("tenant_exists", "a tenant named '\(name)' already exists")
        }
        if let subdomain, try await Tenant.query(on: database).filter(\.$subdomain == subdomain).first() != nil {
            throw PlatformError.conflict("subdomain_taken", "the subdomain '\(subdomain)' is already in use")
        }
    }
}

/// Points where tests may inject a failure into provisioning.
package struct ProvisioningHooks: Sendable {
    /// Runs after the store exists and before the transaction commits.
    package var afterStoreProvisioned: @Sendable (String) async throws -> Void

    /// Hooks that do nothing.
    package init(afterStoreProvisioned: @escaping @Sendable (String) async throws -> Void = { _ in }) {
        self.afterStoreProvisioned = afterStoreProvisioned
    }
}
