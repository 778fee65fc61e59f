import FluentKit
import Foundation

/// A person or robot that signs in to the hub.
public final class User: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    @Field(key: "username") public var username: String
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "role") public var role: UserRole
    @OptionalParent(key: "tenant_id") public var tenant: Tenant?
    @Field(key: "disabled") public var disabled: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    /// Creates a user; `tenantID` is required for tenant roles and must be nil for `admin`.
    public init(username: String, passwordHash: String, role: UserRole, tenantID: UUID?) {
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.$tenant.id = tenantID
        self.disabled = false
    }
}

/// What a user may do.
public enum UserRole: String, Codable, Sendable, CaseIterable {
    /// Everything, on every tenant.
    case admin
    /// Everything within one tenant.
    case tenantAdmin = "tenant_admin"
    /// Read-only within one tenant.
    case tenantViewer = "tenant_viewer"

    /// Whether the role is bound to one tenant.
    public var isTenantScoped: Bool { self != .admin }
}
