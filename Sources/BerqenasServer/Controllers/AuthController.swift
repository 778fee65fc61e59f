import BerqenasPlatform
import Vapor

/// Sign-in, token refresh, sign-out and the current user.
struct AuthController {
    func register(open: any RoutesBuilder, signedIn: any RoutesBuilder) {
        let auth = open.grouped("auth")
        auth.on(
            .POST, "login",
            operation: Operation(
                id: "auth.login", summary: "Sign in with a username and password (JSON or OAuth2 password form)",
                tag: "auth", access: .open, requestBody: LoginRequest.schema, responseBody: TokenResponse.schema,
                failureStatuses: [401, 429]
            ), use: login)
        auth.on(
            .POST, "refresh",
            operation: Operation(
                id: "auth.refresh", summary: "Exchange a refresh token for new tokens (the old refresh token stops working)",
                tag: "auth", access: .open, requestBody: RefreshRequest.schema, responseBody: TokenResponse.schema,
                failureStatuses: [401]
            ), use: refresh)
        let signedInAuth = signedIn.grouped("auth")
        signedInAuth.on(
            .POST, "logout",
            operation: Operation(
                id: "auth.logout", summary: "Revoke a refresh token, or every session of the user when none is given",
                tag: "auth", requestBody: LogoutRequest.schema, successStatus: 204
            ), use: logout)
        signedInAuth.on(
            .GET, "me",
            operation: Operation(
                id: "auth.me", summary: "The signed-in user", tag: "auth", responseBody: UserResponse.schema
            ), use: me)
    }

    @Sendable
    func login(_ request: Request) async throws -> TokenResponse {
        let credentials = try request.content.decode(LoginRequest.self)
        request.auditContext.actor = credentials.username
        request.auditContext.target = "user:\(credentials.username)"
        let platform = request.berqenas.platform
        try await request.takeClientBudget(platform.loginLimiter, perMinute: platform.configuration.loginRatePerMinute, what: "sign-in attempts")
        let user = try await platform.signIn.verifyCredentials(username: credentials.username, password: credentials.password)
        request.auditContext.tenant = user.tenant?.name
        return try await tokens(for: user, refreshToken: platform.signIn.issueRefreshToken(for: user), request)
    }

    @Sendable
    func refresh(_ request: Request) async throws -> TokenResponse {
        let body = try request.content.decode(RefreshRequest.self)
        let rotated = try await request.berqenas.platform.signIn.rotate(refreshToken: body.refreshToken)
        try await rotated.user.$tenant.load(on: request.db)
        request.auditContext.actor = rotated.user.username
        request.auditContext.target = "user:\(rotated.user.username)"
        return try await tokens(for: rotated.user, refreshToken: rotated.refreshToken, request)
    }

    @Sendable
    func logout(_ request: Request) async throws -> HTTPStatus {
        let caller = try request.requireCaller()
        let body = request.body.data == nil ? LogoutRequest(refreshToken: nil) : try request.content.decode(LogoutRequest.self)
        let signIn = request.berqenas.platform.signIn
        if let token = body.refreshToken {
            try await signIn.revoke(refreshToken: token, userID: caller.userID)
        } else {
            try await signIn.revokeAll(userID: caller.userID)
        }
        request.auditContext.target = "user:\(caller.username)"
        return .noContent
    }

    @Sendable
    func me(_ request: Request) async throws -> UserResponse {
        try UserResponse(request.requireSignedInUser())
    }

    private func tokens(for user: User, refreshToken: String, _ request: Request) async throws -> TokenResponse {
        let issuer = request.berqenas.tokens
        return TokenResponse(
            accessToken: try await issuer.issue(for: user), tokenType: "bearer",
            expiresIn: Int(issuer.lifetime), refreshToken: refreshToken
        )
    }
}
