import FluentKit
import Foundation

/// Manages users within what the calling user may manage.
package struct UserService: Sendable {
    let database: any Database
    let hasher: PasswordHasher

    /// Creates the service.
    package init(database: any Database, hasher: PasswordHasher) {
        self.database = database
        self.hasher = hasher
    }

    /// A new user.
    package struct CreateRequest: Sendable {
        package var username: String
        package var password: String
        package var role: UserRole
        /// Tenant name; required for tenant roles, absent for `admin`.
        package var tenant: String?

        /// Creates a request.
        package init(username: String, password: String, role: UserRole, tenant: String?) {
            self.username = username
            self.password = password
            self.role = role
            self.tenant = tenant
        }
    }

    /// Creates a user. Tenant admins may only create tenant users of their own tenant.
    /// - Throws: 422 for a bad field, 403 outside the caller's rights, 409 for a taken username.
    package func create(_ request: CreateRequest, by caller: Caller) async throws -> User {
        try PasswordRules.validateUsername(request.username)
        try PasswordRules.validatePassword(request.password)
        let tenantID = try await resolveTenant(for: request.role, named: request.tenant)
        if let tenantID { try caller.requireWrite(tenant: tenantID) } else { try caller.requireAdmin() }
        if try await User.query(on: database).filter(\.$username == request.username).first() != nil {
            throw PlatformError.conflict("user_exists", "a user named '\(request.username)' already exists")
        }
        let user = User(
            username: request.username, passwordHash: try await hasher.hash(request.password),
            role: request.role, tenantID: tenantID
        )
        try await user.create(on: database)
        try await user.$tenant.load(on: database)
        return user
    }

    /// A page of the users the caller may see, optionally of one tenant.
    package func list(by caller: Caller, tenant: String?, limit: Int, offset: Int) async throws -> (items: [User], total: Int) {
        var query = User.query(on: database).with(\.$tenant)
        if !caller.isAdmin {
            guard caller.role == .tenantAdmin, let tenantID = caller.tenantID else {
                throw PlatformError.forbidden("listing users needs the admin or tenant_admin role")
            }
            query = query.filter(\.$tenant.$id == tenantID)
        }
        if let tenant {
            let tenantID = try await findTenantID(tenant, field: "tenant")
            query = query.filter(\.$tenant.$id == tenantID)
        }
        let total = try await query.count()
        let items = try await query.sort(\.$username).range(offset..<(offset + limit)).all()
        return (items, total)
    }

    /// The user with `id`, if the caller may see it.
    package func find(_ id: UUID, by caller: Caller) async throws -> User {
        guard let user = try await User.query(on: database).filter(\.$id == id).with(\.$tenant).first() else {
            throw PlatformError.notFound("user", id.uuidString)
        }
        if user.id != caller.userID { try requireManage(user, by: caller) }
        return user
    }

    /// What may change on a user.
    package struct UpdateRequest: Sendable {
        package var password: String?
        /// Whether the user's present password was checked (`SignInService.verifyCredentials`, so guesses
        /// count toward the lockout): required when users change their own.
        package var currentPasswordVerified: Bool
        package var role: UserRole?
        package var disabled: Bool?

        /// Creates a request; nil fields stay.
        package init(password: String? = nil, currentPasswordVerified: Bool = false, role: UserRole? = nil, disabled: Bool? = nil) {
            self.password = password
            self.currentPasswordVerified = currentPasswordVerified
            self.role = role
            self.disabled = disabled
        }
    }

    /// Changes a user. A user may change their own password (giving the present one); roles and disabling need
    /// the right to manage.
    /// Answers whether the user's sessions must end (password changed or account disabled).
    package func update(_ user: User, with request: UpdateRequest, by caller: Caller) async throws -> Bool {
        let isSelf = user.id == caller.userID
        if !(isSelf && request.role == nil && request.disabled == nil) { try requireManage(user, by: caller) }
        if let password = request.password {
            // Someone holding only a session (a token left in a browser) cannot take the account for good.
            if isSelf, !request.currentPasswordVerified { throw Self.currentPasswordRequired }
            try PasswordRules.validatePassword(password)
            user.passwordHash = try await hasher.hash(password)
        }
        if let role = request.role, role != user.role {
            guard role.isTenantScoped == user.role.isTenantScoped else {
                throw PlatformError.validation(field: "role", "cannot move a user between admin and a tenant role")
            }
            if user.role == .admin { try await ensureAnotherAdmin(than: user) }
            user.role = role
        }
        if let disabled = request.disabled {
            if disabled, user.role == .admin { try await ensureAnotherAdmin(than: user) }
            user.disabled = disabled
        }
        try await user.save(on: database)
        return request.password != nil || request.disabled == true
    }

    /// A user changing their own password without giving (the right) present one.
    package static let currentPasswordRequired = PlatformError(
        code: "current_password_required", status: 403, message: "current_password: give your present password to change it",
        details: ["field": "current_password"])

    /// Removes a user; the last enabled admin cannot be removed.
    package func delete(_ user: User, by caller: Caller) async throws {
        try requireManage(user, by: caller)
        if user.role == .admin { try await ensureAnotherAdmin(than: user) }
        try await user.delete(on: database)
    }

    /// On first start, creates `admin` with `password` (or a generated one); answers the generated one.
    package func bootstrapAdmin(password: String?) async throws -> String? {
        guard try await User.query(on: database).filter(\.$role == .admin).count() == 0 else { return nil }
        let chosen = password ?? SecretGenerator.alphanumeric(length: 24)
        let admin = User(username: "admin", passwordHash: try await hasher.hash(chosen), role: .admin, tenantID: nil)
        try await admin.create(on: database)
        return password == nil ? chosen : nil
    }

    private func requireManage(_ user: User, by caller: Caller) throws {
        if caller.isAdmin { return }
        guard let tenantID = user.$tenant.id else { throw PlatformError.forbidden("only admins manage admins") }
        try caller.requireWrite(tenant: tenantID)
    }

    private func resolveTenant(for role: UserRole, named tenant: String?) async throws -> UUID? {
        if role.isTenantScoped {
            guard let tenant else { throw PlatformError.validation(field: "tenant", "is required for role \(role.rawValue)") }
            return try await findTenantID(tenant, field: "tenant")
        }
        guard tenant == nil else { throw PlatformError.validation(field: "tenant", "must be empty for role admin") }
        return nil
    }

    private func findTenantID(_ name: String, field: String) async throws -> UUID {
        guard let tenant = try await Tenant.query(on: database).filter(\.$name == name).first() else {
            throw PlatformError.validation(field: field, "no tenant named '\(name)'")
        }
        return try tenant.requireID()
    }

    private func ensureAnotherAdmin(than user: User) async throws {
        let others = try await User.query(on: database).filter(\.$role == .admin).filter(\.$disabled == false)
            .filter(\.$id != user.requireID()).count()
        guard others > 0 else {
            throw PlatformError.conflict("last_admin", "'\(user.username)' is the last enabled admin; create another first")
        }
    }
}
