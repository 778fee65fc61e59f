import FluentKit
import Foundation

/// A refresh token, stored only as its SHA-256 digest.
package final class RefreshToken: Model, @unchecked Sendable {
    package static let schema = "refresh_tokens"

    @ID(key: .id) package var id: UUID?
    @Parent(key: "user_id") package var user: User
    @Field(key: "token_hash") package var tokenHash: String
    /// Tokens rotated from one login share a family; reuse of a rotated token revokes the family.
    @Field(key: "family_id") package var familyID: UUID
    @Field(key: "expires_at") package var expiresAt: Date
    @OptionalField(key: "revoked_at") package var revokedAt: Date?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}

    /// Creates an unrevoked token record.
    package init(userID: UUID, tokenHash: String, familyID: UUID, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.familyID = familyID
        self.expiresAt = expiresAt
    }
}
