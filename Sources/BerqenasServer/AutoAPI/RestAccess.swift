import BerqenasAutoAPI
import BerqenasPlatform
import Fluent
import Vapor

/// Who may call a generated API. An API key (`apikey:` or `Authorization: Bearer bqk_…`) works in every
/// mode within its permissions, networks and rate; a Berqenas access token of an admin or of a user of
/// the API's tenant works in every mode too; `public_read` lets anyone read; `api_key` and `jwt` name what
/// an anonymous caller is asked for.
enum RestAccess {
    static func check(_ request: Request, api: APIRegistry.Mounted, writing: Bool) async throws {
        if writing, api.tenant.status == .suspended {
            throw AutoAPIError(status: 403, code: "tenant_suspended", message: "tenant '\(api.tenant.name)' is suspended: its APIs are read-only")
        }
        let bearer = request.headers.bearerAuthorization?.token
        if let presented = [request.headers.first(name: "apikey"), bearer].compactMap({ $0 }).first(where: { $0.hasPrefix("bqk_") }) {
            let key = try APIKeyService.admit(presented, among: api.keys, from: request.clientAddress, writing: writing)
            if let limit = key.rateLimitPerMinute, let wait = request.berqenas.platform.apis.registry.limiter.take(key.prefix, perMinute: limit) {
                var error = AutoAPIError(
                    status: 429, code: "rate_limited", message: "the API key '\(key.name)' is over its \(limit) requests per minute",
                    hint: "retry after \(wait) s")
                error.headers = ["Retry-After": String(wait)]
                throw error
            }
            return
        }
        if api.definition.auth == .publicRead, !writing {
            // Anyone reads; the token of a user of the API's tenant (or an admin) spares the caller the
            // per-address budget of anonymous readers.
            if let token = bearer, (try? await member(token, of: api, request)) != nil { return }
            let platform = request.berqenas.platform
            try await request.takeClientBudget(
                platform.anonymousLimiter, perMinute: platform.configuration.anonymousRatePerMinute,
                what: "requests without an API key")
            return
        }
        guard let token = bearer else {
            throw denied(
                api.definition.auth == .jwt
                    ? "a Berqenas access token is required (Authorization: Bearer …)"
                    : "an API key is required (apikey: … or Authorization: Bearer …)")
        }
        let user = try await member(token, of: api, request)
        if writing, user.role == .tenantViewer {
            throw AutoAPIError(status: 403, code: "42501", message: "the tenant_viewer role is read-only")
        }
    }

    /// The user a Berqenas access token stands for, if it is an admin or a user of the API's tenant. The user
    /// is read, as for the management API: disabled, deleted or demoted users lose access at once.
    static func member(_ token: String, of api: APIRegistry.Mounted, _ request: Request) async throws -> User {
        let payload: AccessTokenPayload
        do { payload = try await request.berqenas.tokens.verify(token) } catch {
            throw denied("the token is invalid or expired")
        }
        guard let userID = UUID(uuidString: payload.sub.value),
            let user = try await User.query(on: request.db).filter(\.$id == userID).first(), !user.disabled
        else {
            throw denied("the token's user no longer exists or is disabled")
        }
        guard user.role == .admin || user.$tenant.id == api.tenant.id else {
            throw AutoAPIError(status: 403, code: "42501", message: "this token's user does not belong to tenant '\(api.tenant.name)'")
        }
        return user
    }

    static func denied(_ message: String) -> AutoAPIError {
        AutoAPIError(status: 401, code: "PGRST301", message: message)
    }
}
