import FluentKit
import Foundation

/// A key to one generated API, stored only as its SHA-256 digest; its prefix identifies it in lists and
/// finds it on a request.
package final class APIKey: Model, @unchecked Sendable {
    package static let schema = "api_keys"

    @ID(key: .id) package var id: UUID?
    @Field(key: "api_definition_id") package var apiDefinitionID: UUID
    @Field(key: "name") package var name: String
    /// The key's first characters (`bqk_` and eight more), unique.
    @Field(key: "prefix") package var prefix: String
    @Field(key: "key_hash") package var keyHash: String
    /// `read` or `write` (write includes read).
    @Field(key: "permissions") package var permissions: String
    @OptionalField(key: "expires_at") package var expiresAt: Date?
    /// Comma-separated IPv4 networks the key may be used from.
    @Field(key: "allowed_cidrs") package var allowedCIDRs: String
    @OptionalField(key: "rate_limit_per_minute") package var rateLimitPerMinute: Int?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}

    package var allowedList: [String] { allowedCIDRs.split(separator: ",").map(String.init) }
}
