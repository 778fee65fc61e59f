import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// `POST …/apis/{name}/keys`.
package struct APIKeyBody: Codable {
    package let name: String?
    package let permissions: String?
    package let expiresAt: String?
    package let allowedCIDRs: [String]?
    package let rateLimitPerMinute: Int?

    package init(
        name: String? = nil, permissions: String? = nil, expiresAt: String? = nil, allowedCIDRs: [String]? = nil, rateLimitPerMinute: Int? = nil
    ) {
        self.name = name
        self.permissions = permissions
        self.expiresAt = expiresAt
        self.allowedCIDRs = allowedCIDRs
        self.rateLimitPerMinute = rateLimitPerMinute
    }

    enum CodingKeys: String, CodingKey {
        case name, permissions, expiresAt = "expires_at", allowedCIDRs = "allowed_cidrs", rateLimitPerMinute = "rate_limit_per_minute"
    }

    func request() throws -> APIKeyRequest {
        var expiry: Date?
        if let expiresAt {
            let formatter = ISO8601DateFormatter()
            expiry =
                formatter.date(from: expiresAt)
                ?? {
                    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                    return formatter.date(from: expiresAt)
                }()
            guard expiry != nil else {
                throw PlatformError.validation(field: "expires_at", "an ISO 8601 time with its offset, e.g. 2027-01-31T00:00:00Z")
            }
        }
        return APIKeyRequest(
            name: name, permissions: permissions, expiresAt: expiry, allowedCIDRs: allowedCIDRs, rateLimitPerMinute: rateLimitPerMinute)
    }

    static let schema = WireSchema.of(
        Self.self, .request, overriding: ["permissions": .string(allowedValues: ["read", "write"]), "expires_at": .string(format: .dateTime)])
}

/// A key as lists show it; `key` (the secret) only in the answer that made it.
struct APIKeyResponse: Content {
    let id: UUID
    let name: String
    let prefix: String
    let permissions: String
    @ExplicitNull var expiresAt: Date?
    let allowedCIDRs: [String]
    @ExplicitNull var rateLimitPerMinute: Int?
    @ExplicitNull var createdAt: Date?
    let key: String?

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, permissions, expiresAt = "expires_at", allowedCIDRs = "allowed_cidrs",
            rateLimitPerMinute = "rate_limit_per_minute", createdAt = "created_at", key
    }

    init(_ key: APIKey, secret: String? = nil) throws {
        id = try key.requireID()
        name = key.name
        prefix = key.prefix
        permissions = key.permissions
        expiresAt = key.expiresAt
        allowedCIDRs = key.allowedList
        rateLimitPerMinute = key.rateLimitPerMinute
        createdAt = key.createdAt
        self.key = secret
    }

    static func schema(withSecret: Bool) -> JSONSchema {
        WireSchema.of(
            Self.self, .response, overriding: ["permissions": .string(allowedValues: ["read", "write"])], requiring: withSecret ? ["key"] : [])
    }
}

/// `GET …/apis/{name}/keys`.
struct APIKeyList: Content {
    let items: [APIKeyResponse]

    static let schema: JSONSchema = .object(properties: ["items": .array(items: APIKeyResponse.schema(withSecret: false))])
}
