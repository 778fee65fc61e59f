import FluentKit
import Foundation

/// A person or robot that signs in to the hub.
package final class User: Model, @unchecked Sendable {
    package static let schema = "users"

    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "role") package var role: UserRole
    @OptionalParent(key: "tenant_id") package var tenant: Tenant?
    @Field(key: "disabled") package var disabled: Bool
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}

    /// Creates a user; `tenantID` is required for tenant roles and must be nil for `admin`.
    package init(username: String, passwordHash: String, role: UserRole, tenantID: UUID?) {
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.$tenant.id = tenantID
        self.disabled = false
    }
}

/// What a user may do.
package enum UserRole: String, Codable, Sendable, CaseIterable {
    /// Everything, on every tenant.
    case admin
    /// Everything within one tenant.
    case tenantAdmin = "tenant_admin"
    /// Read-only within one tenant.
    case tenantViewer = "tenant_viewer"

    /// Whether the role is bound to one tenant.
    package var isTenantScoped: Bool { self != .admin }
}
