import FluentKit
import Foundation

/// A customer of the hub with its own cloud store.
package final class Tenant: Model, @unchecked Sendable {
    package static let schema = "tenants"

    @ID(key: .id) package var id: UUID?
    @Field(key: "name") package var name: String
    @Field(key: "display_name") package var displayName: String
    @OptionalField(key: "subdomain") package var subdomain: String?
    @Field(key: "vpn_enabled") package var vpnEnabled: Bool
    @Field(key: "status") package var status: TenantStatus
    @Field(key: "max_connections") package var maxConnections: Int
    @Field(key: "statement_timeout_ms") package var statementTimeoutMilliseconds: Int
    @Field(key: "storage_quota_mb") package var storageQuotaMegabytes: Int
    /// The tenant login role's password (PostgreSQL mode), sealed by the master key.
    @OptionalField(key: "role_password_sealed") package var rolePasswordSealed: String?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}

    /// Creates an active tenant with default quotas.
    package init(name: String, displayName: String, subdomain: String?, vpnEnabled: Bool, quotas: TenantQuotas) {
        self.id = UUID()
        self.name = name
        self.displayName = displayName
        self.subdomain = subdomain
        self.vpnEnabled = vpnEnabled
        self.status = .active
        self.quotas = quotas
    }

    /// The tenant's limits, as one value.
    package var quotas: TenantQuotas {
        get {
            TenantQuotas(
                maxConnections: maxConnections,
                statementTimeoutMilliseconds: statementTimeoutMilliseconds,
                storageMegabytes: storageQuotaMegabytes
            )
        }
        set {
            maxConnections = newValue.maxConnections
            statementTimeoutMilliseconds = newValue.statementTimeoutMilliseconds
            storageQuotaMegabytes = newValue.storageMegabytes
        }
    }
}

/// Whether a tenant is in service.
package enum TenantStatus: String, Codable, Sendable, CaseIterable {
    case active
    case suspended
}

/// Limits applied to a tenant's store.
package struct TenantQuotas: Codable, Sendable, Equatable {
    /// Connection limit of the tenant's login role (PostgreSQL mode).
    package var maxConnections: Int
    /// Statement timeout of the tenant's login role (PostgreSQL mode).
    package var statementTimeoutMilliseconds: Int
    /// Advisory storage budget, reported against usage.
    package var storageMegabytes: Int

    /// Quotas a new tenant gets unless told otherwise.
    package static let defaults = TenantQuotas(maxConnections: 20, statementTimeoutMilliseconds: 30_000, storageMegabytes: 10_240)

    /// Creates quotas.
    package init(maxConnections: Int, statementTimeoutMilliseconds: Int, storageMegabytes: Int) {
        self.maxConnections = maxConnections
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.storageMegabytes = storageMegabytes
    }

    /// Checks every limit is in its allowed range.
    /// - Throws: `PlatformError.validation` naming the field.
    package func validate() throws {
        guard (1...1000).contains(maxConnections) else {
            throw PlatformError.validation(field: "quotas.max_connections", "must be between 1 and 1000")
        }
        guard (100...86_400_000).contains(statementTimeoutMilliseconds) else {
            throw PlatformError.validation(field: "quotas.statement_timeout_ms", "must be between 100 and 86400000")
        }
        guard (1...10_485_760).contains(storageMegabytes) else {
            throw PlatformError.validation(field: "quotas.storage_mb", "must be between 1 and 10485760")
        }
    }
}
