import FluentKit
import Foundation

/// A refresh token, stored only as its SHA-256 digest.
public final class RefreshToken: Model, @unchecked Sendable {
    public static let schema = "refresh_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: User
    @Field(key: "token_hash") public var tokenHash: String
    /// Tokens rotated from one login share a family; reuse of a rotated token revokes the family.
    @Field(key: "family_id") public var familyID: UUID
    @Field(key: "expires_at") public var expiresAt: Date
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}

    /// Creates an unrevoked token record.
    public init(userID: UUID, tokenHash: String, familyID: UUID, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.familyID = familyID
        self.expiresAt = expiresAt
    }
}
