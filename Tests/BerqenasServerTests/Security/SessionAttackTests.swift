import BerqenasTestSupport
import Foundation
import Testing

/// A stolen session cannot be made permanent: changing one's own password needs the present one, and a refresh
/// token presented twice at once rotates once (the second presentation is treated as the reuse it is).
struct SessionAttackTests {
    @Test func changingOnesOwnPasswordNeedsThePresentOne() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("shop", adminToken: admin)
            let session = try await hub.createUser("ada", role: "tenant_admin", tenant: "shop", token: admin)
            let me = try await hub.send(.GET, "/api/v1/auth/me", token: session).jsonObject()
            let id = try #require(me["id"] as? String)
            let taken = try await hub.send(.PATCH, "/api/v1/users/\(id)", token: session, json: ["password": "attacker-password-1"])
            #expect(taken.status == .forbidden && taken.errorCode == "current_password_required", "\(taken.body.string)")
            let guessed = try await hub.send(
                .PATCH, "/api/v1/users/\(id)", token: session,
                json: ["password": "attacker-password-1", "current_password": "wrong-guess-12"])
            #expect(guessed.status == .forbidden)
            _ = try await hub.token("ada", "pw-ada-123456")
            let owned = try await hub.send(
                .PATCH, "/api/v1/users/\(id)", token: session,
                json: ["password": "new-password-2", "current_password": "pw-ada-123456"])
            #expect(owned.status == .ok, "\(owned.body.string)")
            let reset = try await hub.send(.PATCH, "/api/v1/users/\(id)", token: admin, json: ["password": "reset-by-admin-3"])
            #expect(reset.status == .ok, "an admin resets another user's password without it")
            // Guessing the present password through a session counts toward the lockout, as sign-ins do.
            let bob = try await hub.createUser("bob", role: "tenant_viewer", tenant: "shop", token: admin)
            let bobID = try #require(try await hub.send(.GET, "/api/v1/auth/me", token: bob).jsonObject()["id"] as? String)
            var statuses: [UInt] = []
            for guess in 0..<7 {
                statuses.append(
                    try await hub.send(
                        .PATCH, "/api/v1/users/\(bobID)", token: bob,
                        json: ["password": "attacker-password-1", "current_password": "guess-\(guess)-xyz"]
                    ).status.code)
            }
            #expect(statuses.suffix(2) == [429, 429], "\(statuses)")
        }
    }

    @Test(arguments: HubEngine.available)
    func aRefreshTokenPresentedTwiceAtOnceRotatesOnce(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let refresh = try #require(try await hub.login()["refresh_token"] as? String)
            let answers = try await withThrowingTaskGroup(of: (UInt, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": refresh])
                        return (response.status.code, (try? response.jsonObject())?["refresh_token"] as? String)
                    }
                }
                var all: [(UInt, String?)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            let winners = answers.filter { $0.0 == 200 }
            #expect(winners.count == 1, "\(answers.map(\.0))")
            #expect(answers.allSatisfy { $0.0 == 200 || $0.0 == 401 }, "\(answers.map(\.0))")
            // Presenting the rotated token again revokes its family: the winner's new token is dead too.
            let next = try #require(winners.first?.1)
            #expect(try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": refresh]).status == .unauthorized)
            #expect(try await hub.send(.POST, "/api/v1/auth/refresh", json: ["refresh_token": next]).status == .unauthorized)
        }
    }
}
