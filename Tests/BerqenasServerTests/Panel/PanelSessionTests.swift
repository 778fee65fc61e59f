import BerqenasTestSupport
import Foundation
import Testing
import Vapor
import VaporTesting

/// The panel's session: the refresh token lives in an HttpOnly cookie no script reads, goes only to the
/// sign-in routes, is never sent from another site, and cannot be spent by a page that is not the panel.
struct PanelSessionTests {
    private static func cookie(_ response: TestingHTTPResponse, _ name: String) -> String? {
        response.headers[.setCookie].first { $0.hasPrefix(name + "=") }
    }

    private static func value(_ setCookie: String?) -> String? {
        setCookie?.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init)
    }

    private static let panelHeader = ["X-Requested-With": "berqenas-panel"]

    private static func panelSignIn(_ hub: TestHub) async throws -> TestingHTTPResponse {
        try await hub.send(
            .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestHub.adminPassword, "refresh_cookie": true],
            headers: panelHeader)
    }

    /// Attack (login CSRF): a cross-site form posts the sender's own credentials to the hub, so that the
    /// operator's browser would resume the sender's session and the operator type secrets into the sender's
    /// tenant. A cookie session is given only to a request carrying the panel's header.
    @Test func aCrossSiteFormCannotSignTheBrowserIntoAnotherAccount() async throws {
        try await TestHub.run { hub in
            let form = try await hub.send(
                .POST, "/api/v1/auth/login",
                rawBody: "username=admin&password=\(TestHub.adminPassword)&refresh_cookie=true", contentType: .urlEncodedForm)
            #expect(form.status == .forbidden && form.errorCode == "missing_panel_header", "\(form.status) \(form.body.string)")
            #expect(form.headers[.setCookie].isEmpty, "no session cookie")
            let json = try await hub.send(
                .POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestHub.adminPassword, "refresh_cookie": true])
            #expect(json.status == .forbidden && json.headers[.setCookie].isEmpty)
            // Without the cookie option nothing changes for the CLI and other clients.
            let plain = try await hub.send(
                .POST, "/api/v1/auth/login", rawBody: "username=admin&password=\(TestHub.adminPassword)", contentType: .urlEncodedForm)
            #expect(plain.status == .ok && plain.headers[.setCookie].isEmpty)
        }
    }

    @Test func theRefreshTokenTravelsOnlyInAnHttpOnlyStrictCookie() async throws {
        try await TestHub.run { hub in
            let login = try await Self.panelSignIn(hub)
            #expect(login.status == .ok)
            let body = try login.jsonObject()
            #expect(body["access_token"] is String && body["refresh_token"] == nil, "no script sees the refresh token")
            #expect(login.headers.first(name: "Cache-Control") == "no-store")
            let cookie = try #require(Self.cookie(login, "berqenas_refresh"))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
                #expect(cookie.contains(attribute), "\(attribute) in \(cookie)")
            }
            #expect(!cookie.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back")
            let hint = try #require(Self.cookie(login, "berqenas_session"))
            #expect(hint.hasPrefix("berqenas_session=1;") && !hint.contains("HttpOnly"))
            #expect(Self.value(hint) == "1", "the hint holds nothing secret")

            // Rotation through the cookie: the answer sets the next cookie, and the spent one is refused.
            let first = try #require(Self.value(cookie))
            let rotated = try await hub.send(
                .POST, "/api/v1/auth/refresh", headers: Self.panelHeader.merging(["Cookie": "berqenas_refresh=\(first)"]) { $1 })
            #expect(rotated.status == .ok, "\(rotated.body.string)")
            #expect(try rotated.jsonObject()["refresh_token"] == nil)
            let second = try #require(Self.value(Self.cookie(rotated, "berqenas_refresh")))
            #expect(second != first)
            let spent = try await hub.send(
                .POST, "/api/v1/auth/refresh", headers: Self.panelHeader.merging(["Cookie": "berqenas_refresh=\(second)x"]) { $1 })
            #expect(spent.status == .unauthorized)
        }
    }

    /// Attack: a page of another origin (a sibling subdomain is the same site, so SameSite lets the cookie go)
    /// posts to the refresh route. Without the panel's header it cannot spend the cookie.
    @Test func aCookieAloneDoesNotRefreshOrSignOut() async throws {
        try await TestHub.run { hub in
            let login = try await Self.panelSignIn(hub)
            let refresh = try #require(Self.value(Self.cookie(login, "berqenas_refresh")))
            let access = try #require(try login.jsonObject()["access_token"] as? String)
            let forged = try await hub.send(
                .POST, "/api/v1/auth/refresh", rawBody: "", contentType: .urlEncodedForm, headers: ["Cookie": "berqenas_refresh=\(refresh)"])
            #expect(forged.status == .forbidden && forged.errorCode == "missing_panel_header", "\(forged.status) \(forged.body.string)")
            let logout = try await hub.send(.POST, "/api/v1/auth/logout", token: access, headers: ["Cookie": "berqenas_refresh=\(refresh)"])
            #expect(logout.status == .forbidden)
            // The cookie still works for the panel itself.
            let panel = try await hub.send(
                .POST, "/api/v1/auth/refresh", headers: Self.panelHeader.merging(["Cookie": "berqenas_refresh=\(refresh)"]) { $1 })
            #expect(panel.status == .ok)
        }
    }

    @Test func signingOutEndsThisBrowsersSessionOrEveryOne() async throws {
        try await TestHub.run { hub in
            let cli = try #require(try await hub.login()["refresh_token"] as? String)
            let login = try await Self.panelSignIn(hub)
            let panel = try #require(Self.value(Self.cookie(login, "berqenas_refresh")))
            let access = try #require(try login.jsonObject()["access_token"] as? String)
            let cookieHeaders = Self.panelHeader.merging(["Cookie": "berqenas_refresh=\(panel)"]) { $1 }

            let out = try await hub.send(.POST, "/api/v1/auth/logout", token: access, headers: cookieHeaders)
            #expect(out.status == .noContent)
            let cleared = try #require(Self.cookie(out, "berqenas_refresh"))
            #expect(cleared.contains("Max-Age=0"), "\(cleared)")
            #expect(try await hub.send(.POST, "/api/v1/auth/refresh", headers: cookieHeaders).status == .unauthorized)
            let other = try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": cli])
            #expect(other.status == .ok, "the CLI's session outlives the browser's sign-out")

            let again = try await Self.panelSignIn(hub)
            let token = try #require(try again.jsonObject()["access_token"] as? String)
            let cookie = try #require(Self.value(Self.cookie(again, "berqenas_refresh")))
            let everywhere = try await hub.send(
                .POST, "/api/v1/auth/logout", token: token, json: ["everywhere": true],
                headers: Self.panelHeader.merging(["Cookie": "berqenas_refresh=\(cookie)"]) { $1 })
            #expect(everywhere.status == .noContent)
            let rotatedCLI = try #require(try other.jsonObject()["refresh_token"] as? String)
            #expect(try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": rotatedCLI]).status == .unauthorized)

            // The panel's plain sign-out says `everywhere: false`: with its cookie already gone it revokes nothing
            // else (it used to fall through to every session of the user, the CLI's included).
            let cli2 = try await hub.login()
            let kept = try #require(cli2["refresh_token"] as? String)
            let bearer = try #require(cli2["access_token"] as? String)
            let noCookie = try await hub.send(
                .POST, "/api/v1/auth/logout", token: bearer, json: ["everywhere": false], headers: Self.panelHeader)
            #expect(noCookie.status == .noContent)
            #expect(try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": kept]).status == .ok)
        }
    }

    @Test func theCookieIsSecureWhenTheHubIsPublishedOverHTTPS() async throws {
        try await TestHub.run(adjust: { $0.alerts.publicURL = "https://hub.example.com" }) { hub in
            let login = try await Self.panelSignIn(hub)
            #expect(Self.cookie(login, "berqenas_refresh")?.contains("Secure") == true)
        }
    }
}
