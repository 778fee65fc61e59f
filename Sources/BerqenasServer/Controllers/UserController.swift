import BerqenasPlatform
import Vapor

/// Users: admins manage everyone, tenant admins their tenant's users.
struct UserController {
    func register(on routes: any RoutesBuilder) {
        let users = routes.grouped("users")
        users.on(
            .GET,
            operation: Operation(
                id: "users.list", summary: "List users (admin: all, tenant admin: own tenant)", tag: "users",
                responseBody: Page<UserResponse>.schema(of: UserResponse.schema),
                query: PageRequest.parameters + [.init(name: "tenant", schema: .string, description: "only this tenant's users")],
                failureStatuses: [422]
            ), use: list)
        users.on(
            .POST,
            operation: Operation(
                id: "users.create", summary: "Create a user", tag: "users", requestBody: CreateUserRequest.schema,
                successStatus: 201, responseBody: UserResponse.schema, failureStatuses: [409]
            ), use: create)
        users.on(
            .GET, ":id",
            operation: Operation(
                id: "users.show", summary: "One user", tag: "users", responseBody: UserResponse.schema, failureStatuses: [404]
            ), use: show)
        users.on(
            .PATCH, ":id",
            operation: Operation(
                id: "users.update",
                summary: "Change a user's password, role or disabled flag (anyone: own password, giving current_password)",
                tag: "users", requestBody: UpdateUserRequest.schema, responseBody: UserResponse.schema,
                failureStatuses: [404, 409, 429]
            ), use: update)
        users.on(
            .DELETE, ":id",
            operation: Operation(
                id: "users.delete", summary: "Delete a user", tag: "users", successStatus: 204, failureStatuses: [404, 409]
            ), use: delete)
    }

    @Sendable
    func list(_ request: Request) async throws -> Page<UserResponse> {
        let page = try PageRequest(request)
        let result = try await request.berqenas.platform.users.list(
            by: request.requireCaller(), tenant: request.query[String.self, at: "tenant"],
            limit: page.limit, offset: page.offset
        )
        return Page(
            items: try result.items.map(UserResponse.init), total: result.total,
            limit: page.limit, offset: page.offset)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        let body = try request.content.decode(CreateUserRequest.self)
        request.auditContext.target = "user:\(body.username)"
        request.auditContext.tenant = body.tenant
        let user = try await request.berqenas.platform.users.create(
            .init(username: body.username, password: body.password, role: body.role, tenant: body.tenant),
            by: request.requireCaller()
        )
        return try await UserResponse(user).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func show(_ request: Request) async throws -> UserResponse {
        try UserResponse(try await pathUser(request))
    }

    @Sendable
    func update(_ request: Request) async throws -> UserResponse {
        let user = try await pathUser(request)
        let body = try request.content.decode(UpdateUserRequest.self)
        let platform = request.berqenas.platform
        let caller = try request.requireCaller()
        var verified = false
        if body.password != nil, user.id == caller.userID {
            // Checked as a sign-in is: per-address budget, counted toward the user's lockout.
            guard let current = body.currentPassword else { throw UserService.currentPasswordRequired }
            try await request.takeClientBudget(platform.loginLimiter, perMinute: platform.configuration.loginRatePerMinute, what: "password checks")
            do {
                _ = try await platform.signIn.verifyCredentials(username: user.username, password: current)
            } catch let error as PlatformError where error.code == "invalid_credentials" {
                throw UserService.currentPasswordRequired
            }
            verified = true
        }
        let endSessions = try await platform.users.update(
            user, with: .init(password: body.password, currentPasswordVerified: verified, role: body.role, disabled: body.disabled),
            by: caller
        )
        if endSessions { try await platform.signIn.revokeAll(userID: user.requireID()) }
        return try UserResponse(user)
    }

    @Sendable
    func delete(_ request: Request) async throws -> HTTPStatus {
        let user = try await pathUser(request)
        try await request.berqenas.platform.users.delete(user, by: request.requireCaller())
        return .noContent
    }

    private func pathUser(_ request: Request) async throws -> User {
        let raw = try request.parameters.require("id")
        guard let id = UUID(uuidString: raw) else { throw PlatformError.notFound("user", raw) }
        let user = try await request.berqenas.platform.users.find(id, by: request.requireCaller())
        request.auditContext.target = "user:\(user.username)"
        request.auditContext.tenant = user.tenant?.name
        return user
    }
}
