import Foundation

/// The signed-in user on whose behalf a service acts, with the rules of what that user may touch.
public struct Caller: Sendable, Equatable {
    public let userID: UUID
    public let username: String
    public let role: UserRole
    /// The tenant a tenant-scoped user belongs to.
    public let tenantID: UUID?
    /// That tenant's name.
    public let tenantName: String?

    /// Creates a caller.
    public init(userID: UUID, username: String, role: UserRole, tenantID: UUID?, tenantName: String?) {
        self.userID = userID
        self.username = username
        self.role = role
        self.tenantID = tenantID
        self.tenantName = tenantName
    }

    /// Whether this caller administers the whole hub.
    public var isAdmin: Bool { role == .admin }

    /// - Throws: 403 unless the caller is a platform admin.
    public func requireAdmin() throws {
        guard isAdmin else { throw PlatformError.forbidden("this needs the admin role") }
    }

    /// - Throws: 403 unless the caller may read tenant `tenantID`.
    public func requireRead(tenant tenantID: UUID) throws {
        guard isAdmin || self.tenantID == tenantID else {
            throw PlatformError.forbidden("you may not access another tenant")
        }
    }

    /// - Throws: 403 unless the caller may change tenant `tenantID` (admins, and that tenant's admins).
    public func requireWrite(tenant tenantID: UUID) throws {
        try requireRead(tenant: tenantID)
        guard isAdmin || role == .tenantAdmin else {
            throw PlatformError.forbidden("the tenant_viewer role is read-only")
        }
    }
}
