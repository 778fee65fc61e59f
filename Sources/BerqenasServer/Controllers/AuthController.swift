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
                failureStatuses: [401, 403, 429]
            ), use: login)
        auth.on(
            .POST, "refresh",
            operation: Operation(
                id: "auth.refresh", summary: "Exchange a refresh token for new tokens (the old refresh token stops working)",
                tag: "auth", access: .open, requestBody: RefreshRequest.schema, responseBody: TokenResponse.schema,
                failureStatuses: [401, 403]
            ), use: refresh)
        let signedInAuth = signedIn.grouped("auth")
        signedInAuth.on(
            .POST, "logout",
            operation: Operation(
                id: "auth.logout", summary: "Revoke a refresh token, or every session of the user when none is given",
                tag: "auth", requestBody: LogoutRequest.schema, successStatus: 204, failureStatuses: [403]
            ), use: logout)
        signedInAuth.on(
            .GET, "me",
            operation: Operation(
                id: "auth.me", summary: "The signed-in user", tag: "auth", responseBody: UserResponse.schema
            ), use: me)
    }

    @Sendable
    func login(_ request: Request) async throws -> Response {
        let credentials = try request.content.decode(LoginRequest.self)
        request.auditContext.actor = credentials.username
        request.auditContext.target = "user:\(credentials.username)"
        let platform = request.berqenas.platform
        try await request.takeClientBudget(platform.loginLimiter, perMinute: platform.configuration.loginRatePerMinute, what: "sign-in attempts")
        // A cookie session only for the panel itself: a cross-site form could otherwise sign the browser into
        // the sender's account (login CSRF), and the operator would type secrets into someone else's tenant.
        if credentials.refreshCookie == true { try RefreshCookie.requirePanelHeader(request) }
        let user = try await platform.signIn.verifyCredentials(username: credentials.username, password: credentials.password)
        request.auditContext.tenant = user.tenant?.name
        return try await tokens(
            for: user, refreshToken: platform.signIn.issueRefreshToken(for: user), inCookie: credentials.refreshCookie == true,
            request)
    }

    /// Rotates the refresh token of the body, or else of the panel's cookie (answered in the same place).
    @Sendable
    func refresh(_ request: Request) async throws -> Response {
        let body = request.body.data == nil ? RefreshRequest(refreshToken: nil) : try request.content.decode(RefreshRequest.self)
        let cookie = body.refreshToken == nil ? try RefreshCookie.token(of: request) : nil
        guard let presented = body.refreshToken ?? cookie else {
            throw PlatformError(
                code: "validation_failed", status: 422, message: "refresh_token: give one, or sign in to the panel again",
                details: ["field": "refresh_token"])
        }
        let rotated = try await request.berqenas.platform.signIn.rotate(refreshToken: presented)
        try await rotated.user.$tenant.load(on: request.db)
        request.auditContext.actor = rotated.user.username
        request.auditContext.target = "user:\(rotated.user.username)"
        return try await tokens(for: rotated.user, refreshToken: rotated.refreshToken, inCookie: cookie != nil, request)
    }

    /// Revokes the refresh token given, else (without `everywhere`) the panel cookie's, else every session
    /// unless `everywhere` is false.
    @Sendable
    func logout(_ request: Request) async throws -> Response {
        let caller = try request.requireCaller()
        let body = request.body.data == nil ? LogoutRequest() : try request.content.decode(LogoutRequest.self)
        let signIn = request.berqenas.platform.signIn
        let cookie = try RefreshCookie.token(of: request)
        if let token = body.refreshToken ?? (body.everywhere == true ? nil : cookie) {
            try await signIn.revoke(refreshToken: token, userID: caller.userID)
        } else if body.everywhere != false {
            try await signIn.revokeAll(userID: caller.userID)
        }
        // `everywhere: false` without a token to name (the panel's cookie already gone) revokes nothing else.
        request.auditContext.target = "user:\(caller.username)"
        let response = Response(status: .noContent)
        if cookie != nil { RefreshCookie.set(nil, on: response, request) }
        return response
    }

    @Sendable
    func me(_ request: Request) async throws -> UserResponse {
        try UserResponse(request.requireSignedInUser())
    }

    private func tokens(for user: User, refreshToken: String, inCookie: Bool, _ request: Request) async throws -> Response {
        let issuer = request.berqenas.tokens
        let body = TokenResponse(
            accessToken: try await issuer.issue(for: user), tokenType: "bearer",
            expiresIn: Int(issuer.lifetime), refreshToken: inCookie ? nil : refreshToken
        )
        let response = try await body.encodeResponse(for: request)
        // Tokens are never kept by a cache on the way.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        if inCookie { RefreshCookie.set(refreshToken, on: response, request) }
        return response
    }
}
