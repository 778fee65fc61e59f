import BerqenasAutoAPI
import FluentKit
import Foundation

/// What a new key asks for.
package struct APIKeyRequest: Sendable {
    package var name: String?
    package var permissions: String?
    package var expiresAt: Date?
    package var allowedCIDRs: [String]?
    package var rateLimitPerMinute: Int?

    package init(name: String?, permissions: String?, expiresAt: Date? = nil, allowedCIDRs: [String]? = nil, rateLimitPerMinute: Int? = nil) {
        self.name = name
        self.permissions = permissions
        self.expiresAt = expiresAt
        self.allowedCIDRs = allowedCIDRs
        self.rateLimitPerMinute = rateLimitPerMinute
    }
}

/// Keys of generated APIs: made (the secret shown once), listed by prefix, revoked at once. A change
/// makes the registry mount the API afresh, so the next request sees it.
package struct APIKeyService: Sendable {
    let database: any Database
    let registry: APIRegistry
    /// `bqk_` + 40 letters and digits (about 230 bits); the prefix is its first 12 characters.
    static let marker = "bqk_"
    static let prefixLength = 12

    package func create(_ request: APIKeyRequest, for definition: APIDefinition, tenant: Tenant) async throws -> (APIKey, secret: String) {
        guard let name = request.name?.trimmingCharacters(in: .whitespaces), (1...100).contains(name.count) else {
            throw PlatformError.validation(field: "name", "1 to 100 characters")
        }
        guard let permissions = request.permissions, ["read", "write"].contains(permissions) else {
            throw PlatformError.validation(field: "permissions", "read or write")
        }
        if let expiry = request.expiresAt, expiry <= Date() {
            throw PlatformError.validation(field: "expires_at", "must be in the future")
        }
        if let limit = request.rateLimitPerMinute, !(1...1_000_000).contains(limit) {
            throw PlatformError.validation(field: "rate_limit_per_minute", "between 1 and 1000000")
        }
        let secret = Self.marker + SecretGenerator.alphanumeric(length: 40)
        let key = APIKey()
        key.apiDefinitionID = try definition.requireID()
        key.name = name
        key.prefix = String(secret.prefix(Self.prefixLength))
        key.keyHash = SignInService.digest(secret)
        key.permissions = permissions
        key.expiresAt = request.expiresAt
        key.allowedCIDRs = try AllowedNetworks.normalize(request.allowedCIDRs ?? ["0.0.0.0/0"])
        key.rateLimitPerMinute = request.rateLimitPerMinute
        try await key.create(on: database)
        await registry.forget(tenant: tenant.name, api: definition.name)
        return (key, secret)
    }

    package func list(for definition: APIDefinition) async throws -> [APIKey] {
        try await APIKey.query(on: database).filter(\.$apiDefinitionID == definition.requireID()).sort(\.$createdAt).all()
    }

    /// Deletes the key; requests with it fail from the next one on.
    package func revoke(_ id: UUID, of definition: APIDefinition, tenant: Tenant) async throws {
        guard
            let key = try await APIKey.query(on: database).filter(\.$id == id)
                .filter(\.$apiDefinitionID == definition.requireID()).first()
        else {
            throw PlatformError.notFound("API key", id.uuidString)
        }
        try await key.delete(on: database)
        await registry.forget(tenant: tenant.name, api: definition.name)
    }

    /// The key among `keys` that `presented` is, if it may be used now, from `address`, for this kind of
    /// request; the errors are PostgREST-shaped (401 unknown or expired, 403 wrong network or read-only).
    package static func admit(
        _ presented: String, among keys: [String: APIKey], from address: String?, writing: Bool,
        now: Date = Date()
    ) throws -> APIKey {
        guard presented.hasPrefix(marker), presented.count > prefixLength, let key = keys[String(presented.prefix(prefixLength))],
            constantTimeEqual(SignInService.digest(presented), key.keyHash)
        else {
            throw AutoAPIError(status: 401, code: "PGRST301", message: "the API key is not valid")
        }
        if let expiry = key.expiresAt, expiry <= now {
            throw AutoAPIError(status: 401, code: "PGRST301", message: "the API key '\(key.name)' has expired")
        }
        guard AllowedNetworks.admit(address, networks: key.allowedCIDRs) else {
            throw AutoAPIError(
                status: 403, code: "42501", message: "the API key '\(key.name)' may not be used from \(address ?? "an unknown address")")
        }
        if writing, key.permissions != "write" {
            throw AutoAPIError(status: 403, code: "42501", message: "the API key '\(key.name)' may only read")
        }
        return key
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
