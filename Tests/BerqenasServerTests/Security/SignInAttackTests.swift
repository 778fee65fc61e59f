import BerqenasPlatform
import BerqenasTestSupport
import FluentKit
import Foundation
import Testing

@testable import BerqenasServer

/// Guessing passwords does not get further by being concurrent, by coming from one address, or by sending
/// names nobody could have.
struct SignInAttackTests {
    @Test(arguments: HubEngine.available)
    func concurrentWrongGuessesLockTheUserAndTheRightPasswordIsThenRefused(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for attempt in 0..<40 {
                    group.addTask {
                        try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": "wrong-\(attempt)"]).status.code
                    }
                }
                var all: [UInt] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "no 500s: \(statuses)")
            #expect(statuses.filter { $0 == 401 }.count <= 5, "at most five guesses were checked: \(statuses.sorted())")
            let right = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestHub.adminPassword])
            #expect(right.status == .tooManyRequests, "the user is locked: \(right.body.string)")
            #expect(right.headers.first(name: "Retry-After") != nil)
        }
    }

    @Test func oneAddressMayOnlyTrySoOften() async throws {
        // A budget of one a minute: the second attempt, whatever the machine's load, comes within the minute.
        try await TestHub.run(adjust: { $0.loginRatePerMinute = 1 }) { hub in
            let first = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "someone", "password": "wrong-password"])
            #expect(first.status == .unauthorized)
            let limited = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": TestHub.adminPassword])
            #expect(
                limited.status == .tooManyRequests && Int(limited.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1,
                "even the right password waits: \(limited.status)")
        }
    }

    @Test func aBudgetBurstsItsMinuteThenRefillsAtItsRate() async {
        let limiter = RateLimiter()
        for _ in 0..<5 { #expect(limiter.take("198.18.0.1", perMinute: 5) == nil) }
        let wait = limiter.take("198.18.0.1", perMinute: 5)
        #expect(wait != nil && (1...12).contains(wait ?? 0), "one request every 12 s: \(String(describing: wait))")
        #expect(limiter.take("198.18.0.2", perMinute: 5) == nil, "another address has its own budget")
        #expect(RateLimiter.clientKey("2001:db8:1:2:aaaa::1") == RateLimiter.clientKey("2001:db8:1:2:ffff::9"), "one IPv6 /64, one budget")
        #expect(RateLimiter.clientKey("2001:db8:1:3::1") != RateLimiter.clientKey("2001:db8:1:2::1"))
        #expect(RateLimiter.clientKey("::ffff:198.18.0.1") == "198.18.0.1")
    }

    @Test func longAndStrangeUsernamesAreRefusedWithoutBeingStored() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            for name in [String(repeating: "a", count: 100_000), "x\u{0}y", "rob'; DROP TABLE users;--", ""] {
                let response = try await hub.send(.POST, "/api/v1/auth/login", json: ["username": name, "password": "whatever-it-is"])
                #expect(response.status == .unauthorized, "\(name.prefix(20)): \(response.status)")
            }
            let trail = try await hub.send(.GET, "/api/v1/audit?limit=500", token: admin)
            #expect(trail.status == .ok && !trail.body.string.contains(String(repeating: "a", count: 200)), "audit fields are bounded")
            let throttles = try await LoginThrottleRecord.query(on: hub.app.db).count()
            #expect(throttles == 0, "nothing was counted for names no user can have")
        }
    }
}
