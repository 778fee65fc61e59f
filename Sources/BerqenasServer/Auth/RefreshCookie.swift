import BerqenasPlatform
import Vapor

/// The web panel's refresh token: an HttpOnly cookie, so no script (the panel's, or one injected into it)
/// can read it, sent only to `/api/v1/auth/…` and never from another site (SameSite=Strict), and Secure
/// whenever the hub is reached over HTTPS. A refresh or sign-out by cookie must also carry
/// `X-Requested-With: berqenas-panel`: a page of another origin (a sibling subdomain is the same site) cannot
/// send that header without a CORS preflight the hub never grants.
///
/// Next to it, `berqenas_session=1` (readable by scripts, holding nothing secret) tells a page loading whether
/// there is a session to pick up, so that a first visit does not ask the hub for a refresh bound to fail.
enum RefreshCookie {
    static let name = "berqenas_refresh"
    static let hintName = "berqenas_session"
    static let path = "/api/v1/auth"
    static let requiredHeader = (name: "X-Requested-With", value: "berqenas-panel")

    /// The refresh token of the cookie; nil without one. Throws when the panel's header is missing.
    static func token(of request: Request) throws -> String? {
        guard let token = request.cookies[name]?.string, !token.isEmpty else { return nil }
        try requirePanelHeader(request)
        return token
    }

    /// Throws unless the request carries the panel's header.
    static func requirePanelHeader(_ request: Request) throws {
        guard request.headers.first(name: requiredHeader.name) == requiredHeader.value else {
            throw PlatformError(
                code: "missing_panel_header", status: 403,
                message: "a session kept in the panel's cookie needs the header \(requiredHeader.name): \(requiredHeader.value)")
        }
    }

    /// Sets the cookie to `token` (nil: expires it).
    static func set(_ token: String?, on response: Response, _ request: Request) {
        let lifetime = request.berqenas.platform.signIn.refreshTokenLifetime
        let maxAge = token == nil ? 0 : Int(lifetime)
        let secure = request.reachedOverHTTPS
        response.cookies[name] = HTTPCookies.Value(
            string: token ?? "", maxAge: maxAge, path: path, isSecure: secure, isHTTPOnly: true, sameSite: .strict)
        response.cookies[hintName] = HTTPCookies.Value(
            string: token == nil ? "" : "1", maxAge: maxAge, path: "/", isSecure: secure, isHTTPOnly: false, sameSite: .strict)
    }
}
