import DatabaseConnectors
import FluentKit
import Foundation

/// Where a tenant's cloud store lives and how it is created, limited and removed.
///
/// `provision` runs inside the system-database transaction that inserts the tenant, so a backend whose
/// store lives in that database (PostgreSQL) is all-or-nothing by construction; one that writes outside
/// it (SQLite files) undoes its work in `discardFailedProvision`.
package protocol TenantStoreBackend: Sendable {
    /// The engine of the stores this backend makes.
    var engine: SystemDatabaseEngine { get }
    /// Creates the store for `tenant`; `rolePassword` is the login role's password where the engine has roles.
    func provision(_ tenant: Tenant, rolePassword: String?, on transaction: any Database) async throws
    /// Removes whatever `provision` left outside the rolled-back transaction.
    func discardFailedProvision(_ tenant: Tenant) async
    /// Applies the tenant's quotas to its store.
    func applyQuotas(_ tenant: Tenant, on database: any Database) async throws
    /// Lets the tenant's login in, or shuts it out and ends its sessions.
    func setLoginEnabled(_ enabled: Bool, for tenant: Tenant, on database: any Database) async throws
    /// Drops the store and everything in it.
    func destroy(_ tenant: Tenant, on database: any Database) async throws
    /// How a client reaches the store; `password` is filled in by the caller when allowed.
    func connectionInfo(for tenant: Tenant) -> TenantConnectionInfo
    /// Makes the store ready for the sync engine (idempotent).
    func prepareSync(_ tenant: Tenant, on database: any Database) async throws
    /// How the sync engine connects to the store, as the tenant's own login (`password`, where it has one).
    func syncSpec(for tenant: Tenant, password: String?) -> ConnectionSpec
    /// Keeps tenants' logins away from what the stores share (PostgreSQL's advisory locks, which capture
    /// uses); answers false when the hub's login may not do it (then the hub says so at start).
    func restrictSharedLocks(on database: any Database) async throws -> Bool
    /// The bytes the store takes (its tables, indexes and change log), for the `storage_mb` quota.
    func usedBytes(_ tenant: Tenant, on database: any Database) async throws -> Int64
}

/// How to reach a tenant's store.
package struct TenantConnectionInfo: Codable, Sendable, Equatable {
    package var engine: SystemDatabaseEngine
    package var host: String?
    package var port: Int?
    package var database: String
    package var schema: String
    package var username: String?
    package var password: String?

    /// Creates connection details.
    package init(
        engine: SystemDatabaseEngine, host: String?, port: Int?, database: String, schema: String,
        username: String?, password: String?
    ) {
        self.engine = engine
        self.host = host
        self.port = port
        self.database = database
        self.schema = schema
        self.username = username
        self.password = password
    }
}

/// Names a tenant's objects get in a shared PostgreSQL cluster.
package enum TenantObjectNames {
    /// `tenant_<name>`.
    package static func schema(_ tenantName: String) -> String { "tenant_\(tenantName)" }
    /// `tenant_<name>_user`.
    package static func role(_ tenantName: String) -> String { "tenant_\(tenantName)_user" }
    /// `tenant_<name>_sync`: the change log of the tenant's cloud tables, owned by its login.
    package static func syncSchema(_ tenantName: String) -> String { "tenant_\(tenantName)_sync" }
}
