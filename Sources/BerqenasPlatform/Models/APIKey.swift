import FluentKit
import Foundation

/// A key to one generated API, stored only as its SHA-256 digest; its prefix identifies it in lists and
/// finds it on a request.
public final class APIKey: Model, @unchecked Sendable {
    public static let schema = "api_keys"

    @ID(key: .id) public var id: UUID?
    @Field(key: "api_definition_id") public var apiDefinitionID: UUID
    @Field(key: "name") public var name: String
    /// The key's first characters (`bqk_` and eight more), unique.
    @Field(key: "prefix") public var prefix: String
    @Field(key: "key_hash") public var keyHash: String
    /// `read` or `write` (write includes read).
    @Field(key: "permissions") public var permissions: String
    @OptionalField(key: "expires_at") public var expiresAt: Date?
    /// Comma-separated IPv4 networks the key may be used from.
    @Field(key: "allowed_cidrs") public var allowedCIDRs: String
    @OptionalField(key: "rate_limit_per_minute") public var rateLimitPerMinute: Int?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    public var allowedList: [String] { allowedCIDRs.split(separator: ",").map(String.init) }
}
