import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// A tenant as the API shows it.
struct TenantResponse: Content {
    struct Quotas: Content {
        let maxConnections: Int
        let statementTimeoutMs: Int
        let storageMb: Int

        enum CodingKeys: String, CodingKey {
            case maxConnections = "max_connections", statementTimeoutMs = "statement_timeout_ms", storageMb = "storage_mb"
        }
    }

    let id: UUID
    let name: String
    let displayName: String
    @ExplicitNull var subdomain: String?
    let vpnEnabled: Bool
    let status: TenantStatus
    let quotas: Quotas
    @ExplicitNull var createdAt: Date?
    @ExplicitNull var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, displayName = "display_name", subdomain, vpnEnabled = "vpn_enabled", status, quotas
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    /// Absent values are written as `null`, so every documented key is always present.

    init(_ tenant: Tenant) throws {
        id = try tenant.requireID()
        name = tenant.name
        displayName = tenant.displayName
        subdomain = tenant.subdomain
        vpnEnabled = tenant.vpnEnabled
        status = tenant.status
        quotas = Quotas(
            maxConnections: tenant.maxConnections, statementTimeoutMs: tenant.statementTimeoutMilliseconds,
            storageMb: tenant.storageQuotaMegabytes)
        createdAt = tenant.createdAt
        updatedAt = tenant.updatedAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// Quota fields in a request; missing ones keep their current (or default) value.
package struct QuotasPatch: Content {
    package let maxConnections: Int?
    package let statementTimeoutMs: Int?
    package let storageMb: Int?

    package init(maxConnections: Int? = nil, statementTimeoutMs: Int? = nil, storageMb: Int? = nil) {
        self.maxConnections = maxConnections
        self.statementTimeoutMs = statementTimeoutMs
        self.storageMb = storageMb
    }

    enum CodingKeys: String, CodingKey {
        case maxConnections = "max_connections", statementTimeoutMs = "statement_timeout_ms", storageMb = "storage_mb"
    }

    func applied(to quotas: TenantQuotas) -> TenantQuotas {
        TenantQuotas(
            maxConnections: maxConnections ?? quotas.maxConnections,
            statementTimeoutMilliseconds: statementTimeoutMs ?? quotas.statementTimeoutMilliseconds,
            storageMegabytes: storageMb ?? quotas.storageMegabytes
        )
    }
}

/// A new tenant.
package struct CreateTenantRequest: Content {
    package let name: String
    package let displayName: String?
    package let subdomain: String?
    package let vpnEnabled: Bool?
    package let quotas: QuotasPatch?

    package init(name: String, displayName: String? = nil, subdomain: String? = nil, vpnEnabled: Bool? = nil, quotas: QuotasPatch? = nil) {
        self.name = name
        self.displayName = displayName
        self.subdomain = subdomain
        self.vpnEnabled = vpnEnabled
        self.quotas = quotas
    }

    enum CodingKeys: String, CodingKey {
        case name, displayName = "display_name", subdomain, vpnEnabled = "vpn_enabled", quotas
    }

    static let schema = WireSchema.of(Self.self, .request, overriding: ["name": .string(pattern: "^[a-z][a-z0-9_]{1,30}$")])
}

/// Changes to a tenant; `"subdomain": null` clears the subdomain.
struct UpdateTenantRequest: Content {
    let displayName: String?
    let subdomain: String??
    let vpnEnabled: Bool?
    let status: TenantStatus?
    let quotas: QuotasPatch?

    enum CodingKeys: String, CodingKey {
        case displayName = "display_name", subdomain, vpnEnabled = "vpn_enabled", status, quotas
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        subdomain =
            container.contains(.subdomain)
            ? .some(try container.decodeNil(forKey: .subdomain) ? nil : container.decode(String.self, forKey: .subdomain))
            : .none
        vpnEnabled = try container.decodeIfPresent(Bool.self, forKey: .vpnEnabled)
        status = try container.decodeIfPresent(TenantStatus.self, forKey: .status)
        quotas = try container.decodeIfPresent(QuotasPatch.self, forKey: .quotas)
    }

    static let schema = WireSchema.of(Self.self, .request)
}

/// How to reach a tenant's store.
struct ConnectionResponse: Content {
    let engine: String
    @ExplicitNull var host: String?
    @ExplicitNull var port: Int?
    let database: String
    let schema: String
    @ExplicitNull var username: String?
    @ExplicitNull var password: String?

    /// Absent values are written as `null`, so every documented key is always present.

    enum CodingKeys: String, CodingKey { case engine, host, port, database, schema, username, password }

    init(_ info: TenantConnectionInfo) {
        engine = info.engine.rawValue
        host = info.host
        port = info.port
        database = info.database
        schema = info.schema
        username = info.username
        password = info.password
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["engine": .string(allowedValues: "sqlite", "postgresql")])
}

extension QuotasPatch: WireDescribed {
    /// The fields with their bounds.
    static var wireSchema: JSONSchema {
        WireSchema.of(
            Self.self, .request,
            overriding: [
                "max_connections": .integer(maximum: (1000, exclusive: false), minimum: (1, exclusive: false)),
                "statement_timeout_ms": .integer(minimum: (100, exclusive: false)), "storage_mb": .integer(minimum: (1, exclusive: false)),
            ])
    }
}
