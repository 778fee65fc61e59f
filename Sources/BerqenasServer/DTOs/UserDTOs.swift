import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// A user as the API shows it (never the password hash).
struct UserResponse: Content {
    let id: UUID
    let username: String
    let role: UserRole
    @ExplicitNull var tenant: String?
    let disabled: Bool
    @ExplicitNull var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, username, role, tenant, disabled, createdAt = "created_at"
    }

    /// Absent values are written as `null`, so every documented key is always present.

    init(_ user: User) throws {
        self.id = try user.requireID()
        self.username = user.username
        self.role = user.role
        self.tenant = user.$tenant.value??.name
        self.disabled = user.disabled
        self.createdAt = user.createdAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// A new user.
package struct CreateUserRequest: Content {
    package let username: String
    package let password: String
    package let role: UserRole
    package let tenant: String?

    package init(username: String, password: String, role: UserRole, tenant: String? = nil) {
        self.username = username
        self.password = password
        self.role = role
        self.tenant = tenant
    }

    static let schema = WireSchema.of(Self.self, .request)
}

/// Changes to a user.
struct UpdateUserRequest: Content {
    let password: String?
    let currentPassword: String?
    let role: UserRole?
    let disabled: Bool?

    enum CodingKeys: String, CodingKey {
        case password, currentPassword = "current_password", role, disabled
    }

    static let schema = WireSchema.of(Self.self, .request)
}
