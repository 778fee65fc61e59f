import Foundation

/// The signed-in user on whose behalf a service acts, with the rules of what that user may touch.
package struct Caller: Sendable, Equatable {
    package let userID: UUID
    package let username: String
    package let role: UserRole
    /// The tenant a tenant-scoped user belongs to.
    package let tenantID: UUID?
    /// That tenant's name.
    package let tenantName: String?

    /// Creates a caller.
    package init(userID: UUID, username: String, role: UserRole, tenantID: UUID?, tenantName: String?) {
        self.userID = userID
        self.username = username
        self.role = role
        self.tenantID = tenantID
        self.tenantName = tenantName
    }

    /// Whether this caller administers the whole hub.
    package var isAdmin: Bool { role == .admin }

    /// - Throws: 403 unless the caller is a platform admin.
    package func requireAdmin() throws {
        guard isAdmin else { throw PlatformError.forbidden("this needs the admin role") }
    }

    /// - Throws: 403 unless the caller may read tenant `tenantID`.
    package func requireRead(tenant tenantID: UUID) throws {
        guard isAdmin || self.tenantID == tenantID else {
            throw PlatformError.forbidden("you may not access another tenant")
        }
    }

    /// - Throws: 403 unless the caller may change tenant `tenantID` (admins, and that tenant's admins).
    package func requireWrite(tenant tenantID: UUID) throws {
        try requireRead(tenant: tenantID)
        guard isAdmin || role == .tenantAdmin else {
            throw PlatformError.forbidden("the tenant_viewer role is read-only")
        }
    }
}
