import BerqenasPlatform
import BerqenasTestSupport
import FluentKit
import Foundation
import Testing
import Vapor

@testable import BerqenasServer

@Suite struct AuthTests {
    @Test func adminSignsInWithJSONAndWithTheOAuth2PasswordForm() async throws {
        try await TestHub.run { hub in
            let tokens = try await hub.login()
            #expect(tokens["token_type"] as? String == "bearer")
            #expect(tokens["expires_in"] as? Int == 900)
            #expect((tokens["refresh_token"] as? String)?.isEmpty == false)

            let form = try await hub.send(
                .POST, "/api/v1/auth/login",
                rawBody: "username=admin&password=\(TestHub.adminPassword)",
                contentType: .urlEncodedForm)
            #expect(form.status == .ok)
            let token = try #require(try form.jsonObject()["access_token"] as? String)
            let me = try await hub.send(.GET, "/api/v1/auth/me", token: token)
            #expect(me.status == .ok)
            #expect(try me.jsonObject()["username"] as? String == "admin")
            #expect(try me.jsonObject()["role"] as? String == "admin")
        }
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        try await TestHub.run { hub in
            let wrong = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": "nope-nope-nope"])
            let unknown = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "ghost", "password": "nope-nope-nope"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            #expect(wrong.errorCode == unknown.errorCode)
            #expect(wrong.errorMessage == unknown.errorMessage)
        }
    }

    @Test(arguments: HubEngine.available)
    func fiveFailuresLockTheUserEvenAcrossARestart(_ engine: HubEngine) async throws {
        let directory = TemporaryDirectory.make()
        let mode = try await engine.makeMode()
        try await TestHub.run(mode, dataDirectory: directory) { hub in
            for _ in 0..<5 {
                let response = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": "wrong-password"])
                #expect(response.status == .unauthorized)
            }
            let locked = try await hub.send(
                .POST, "/api/v1/auth/login",
                json: ["username": "admin", "password": TestHub.adminPassword])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.errorCode == "too_many_attempts")
            #expect(Int(locked.headers.first(name: "Retry-After") ?? "") ?? 0 > 800)
        }
        try await TestHub.run(mode, dataDirectory: directory) { hub in
            let stillLocked = try await hub.send(
                .POST, "/api/v1/auth/login",
                json: ["username": "admin", "password": TestHub.adminPassword])
            #expect(stillLocked.status == .tooManyRequests)
        }
    }

    @Test(arguments: HubEngine.available)
    func refreshRotatesAndARotatedTokenCannotBeReplayed(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let first = try #require(try await hub.login()["refresh_token"] as? String)
            let rotated = try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": first])
            #expect(rotated.status == .ok)
            let second = try #require(try rotated.jsonObject()["refresh_token"] as? String)
            #expect(second != first)

            let replay = try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": first])
            #expect(replay.status == .unauthorized)
            // Replaying a rotated token revokes its whole family, so the newest one dies too.
            let afterTheft = try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": second])
            #expect(afterTheft.status == .unauthorized)
        }
    }

    @Test func logoutRevokesTheRefreshToken() async throws {
        try await TestHub.run { hub in
            let tokens = try await hub.login()
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let logout = try await hub.send(.POST, "/api/v1/auth/logout", token: access, json: ["refresh_token": refresh])
            #expect(logout.status == .noContent)
            let refreshed = try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": refresh])
            #expect(refreshed.status == .unauthorized)
        }
    }

    @Test(arguments: HubEngine.available)
    func expiredAndForgedAccessTokensAreRefused(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let admin = try #require(try await User.query(on: hub.app.db).filter(\.$username == "admin").first())
            let expired = try await hub.app.berqenas.tokens.issue(for: admin, now: Date().addingTimeInterval(-3600))
            let response = try await hub.send(.GET, "/api/v1/auth/me", token: expired)
            #expect(response.status == .unauthorized)
            #expect(response.errorCode == "invalid_token")

            let valid = try await hub.token()
            let parts = valid.split(separator: ".")
            let forged = "\(parts[0]).\(parts[1]).AAAA\(parts[2].dropFirst(4))"
            #expect(try await hub.send(.GET, "/api/v1/auth/me", token: forged).status == .unauthorized)
        }
    }

    @Test func tokensFromAnotherMasterKeyAreRefused() async throws {
        let other = try await TestHub.run { hub in try await hub.token() }
        try await TestHub.run { hub in
            let response = try await hub.send(.GET, "/api/v1/auth/me", token: other)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aDisabledUserLosesAccessAtOnce() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            let viewer = try await hub.createUser("vera", role: "tenant_viewer", tenant: "acme", token: admin)
            let me = try await hub.send(.GET, "/api/v1/auth/me", token: viewer)
            let id = try #require(try me.jsonObject()["id"] as? String)
            let disable = try await hub.send(.PATCH, "/api/v1/users/\(id)", token: admin, json: ["disabled": true])
            #expect(disable.status == .ok)
            #expect(try await hub.send(.GET, "/api/v1/auth/me", token: viewer).status == .unauthorized)
        }
    }
}
