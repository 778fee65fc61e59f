import BerqenasPlatform
import Vapor

/// On a server without the `api` role, HTTP answers only what operators and orchestrators ask of every server
/// (`/health`, `/ready`, `/metrics`); everything else is refused, naming the roles this server runs.
struct RoleGate: AsyncMiddleware {
    let roles: Set<ServerRole>
    static let everyServerAnswers: Set<String> = ["/health", "/ready", "/metrics"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard Self.everyServerAnswers.contains(request.url.path) else {
            throw PlatformError(
                code: "not_an_api_server", status: 404,
                message: "this server runs the roles \(roles.listed); the API, the panel and the generated APIs are on servers with the api role")
        }
        return try await next.respond(to: request)
    }
}
