import BerqenasPlatform
import Fluent
import Vapor

/// Requires a valid bearer access token and makes its user the request's `Caller`.
///
/// The user is read on every request, so disabling or deleting a user takes effect at once, and a
/// suspended tenant's users may still read but no longer change anything.
struct BearerAuthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let bearer = request.headers.bearerAuthorization else {
            throw PlatformError(
                code: "unauthorized", status: 401, message: "this needs a bearer access token",
                details: [:])
        }
        let (user, caller) = try await SignedInUser.load(token: bearer.token, tokens: request.berqenas.tokens, on: request.db)
        if request.method != .GET, user.tenant?.status == .suspended {
            throw PlatformError(
                code: "tenant_suspended", status: 403,
                message: "tenant '\(user.tenant?.name ?? "")' is suspended; it is read-only")
        }
        request.signedInUser = user
        request.caller = caller
        return try await next.respond(to: request)
    }
}

/// The user an access token stands for, read afresh (a disabled or deleted user's token stops working).
enum SignedInUser {
    static func load(token: String, tokens: TokenIssuer, on database: any Database) async throws -> (User, Caller) {
        let payload = try await tokens.verify(token)
        guard let userID = UUID(uuidString: payload.sub.value), let found = try await load(userID, on: database) else {
            throw PlatformError(code: "invalid_token", status: 401, message: "the token's user no longer exists or is disabled")
        }
        return found
    }

    /// The user as they are now; nil when deleted or disabled.
    static func load(_ userID: UUID, on database: any Database) async throws -> (User, Caller)? {
        guard let user = try await User.query(on: database).filter(\.$id == userID).with(\.$tenant).first(), !user.disabled else {
            return nil
        }
        return (user, try Caller(user))
    }
}

extension Request {
    private struct CallerKey: StorageKey { typealias Value = Caller }

    /// The signed-in user, set by `BearerAuthMiddleware`.
    var caller: Caller? {
        get { storage[CallerKey.self] }
        set { storage[CallerKey.self] = newValue }
    }

    private struct SignedInUserKey: StorageKey { typealias Value = User }

    /// The signed-in user's record (with its tenant), as `BearerAuthMiddleware` loaded it.
    var signedInUser: User? {
        get { storage[SignedInUserKey.self] }
        set { storage[SignedInUserKey.self] = newValue }
    }

    /// The signed-in user, or 401.
    func requireCaller() throws -> Caller {
        guard let caller else { throw Self.notSignedIn }
        return caller
    }

    /// The signed-in user's record, or 401.
    func requireSignedInUser() throws -> User {
        guard let signedInUser else { throw Self.notSignedIn }
        return signedInUser
    }

    private static let notSignedIn = PlatformError(code: "unauthorized", status: 401, message: "not signed in")
}
