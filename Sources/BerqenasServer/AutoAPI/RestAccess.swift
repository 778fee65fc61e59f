import BerqenasAutoAPI
import BerqenasPlatform
import Vapor

/// Who may call a generated API: `public_read` lets anyone read; `jwt` takes a Berqenas access token of
/// an admin or of a user of the API's tenant; `api_key` needs the API's keys (not served yet).
enum RestAccess {
    static func check(_ request: Request, api: APIRegistry.Mounted, writing: Bool) async throws {
        if api.definition.auth == "public_read", !writing { return }
        let token = request.headers.bearerAuthorization?.token
        switch api.definition.auth {
        case "jwt", "public_read":
            guard let token else { throw denied("a Berqenas access token is required (Authorization: Bearer …)") }
            let payload: AccessTokenPayload
            do { payload = try await request.berqenas.tokens.verify(token) } catch {
                throw denied("the token is invalid or expired")
            }
            guard payload.role == "admin" || payload.tenant == api.tenant.name else {
                throw AutoAPIError(status: 403, code: "42501", message: "this token's user does not belong to tenant '\(api.tenant.name)'")
            }
        default:
            throw denied("this API takes API keys, which are not served yet")
        }
    }

    static func denied(_ message: String) -> AutoAPIError {
        AutoAPIError(status: 401, code: "PGRST301", message: message)
    }
}
