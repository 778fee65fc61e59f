import Crypto
import FluentKit
import Foundation
import SQLKit

/// Checks credentials under the lockout policy and keeps refresh tokens (issue, rotate, revoke).
package struct SignInService: Sendable {
    let database: any Database
    let hasher: PasswordHasher
    let policy: LoginThrottlePolicy
    package let refreshTokenLifetime: TimeInterval

    /// Creates the service.
    package init(
        database: any Database, hasher: PasswordHasher, policy: LoginThrottlePolicy = .standard,
        refreshTokenLifetime: TimeInterval
    ) {
        self.database = database
        self.hasher = hasher
        self.policy = policy
        self.refreshTokenLifetime = refreshTokenLifetime
    }

    /// The user whose credentials these are.
    ///
    /// Each attempt is counted as a failure before the password is checked, by one atomic increment in the
    /// system database (so concurrent guesses, on this hub or another sharing the database, each take a
    /// place in the count); only attempts within the policy's allowance reach bcrypt, and a success clears
    /// the count.
    /// - Throws: 429 `too_many_attempts` while locked; 401 `invalid_credentials` otherwise, the same
    ///   for an unknown user, a wrong password and a disabled account.
    package func verifyCredentials(username: String, password: String, now: Date = Date()) async throws -> User {
        // No user can have a name outside the rules: such a name is refused before it is stored anywhere.
        guard (try? PasswordRules.validateUsername(username)) != nil else { throw Self.invalidCredentials }
        let lockAfterFailure = try await countAttempt(username, now: now)
        let user = try await User.query(on: database).filter(\.$username == username).with(\.$tenant).first()
        let matches = try await hasher.verify(password, against: user?.passwordHash)
        guard let user, matches, !user.disabled else {
            if let until = lockAfterFailure { try await lock(username, until: until) }
            throw Self.invalidCredentials
        }
        try await LoginThrottleRecord.query(on: database).filter(\.$username == username).delete()
        return user
    }

    /// Counts one more attempt of `username`, in one statement, and applies the policy's decision: when the
    /// password may be checked, the lock a failure would bring (nil: none).
    /// - Throws: 429 `too_many_attempts` when the attempt is refused.
    func countAttempt(_ username: String, now: Date) async throws -> Date? {
        guard let sql = database as? any SQLDatabase else { throw PlatformError.invalidConfiguration("the system database speaks no SQL") }
        let table = LoginThrottleRecord.schema
        for _ in 0..<16 {
            let rows = try await sql.raw(
                """
                UPDATE \(ident: table) SET failure_count = failure_count + 1 WHERE username = \(bind: username)
                RETURNING failure_count, window_started_at, locked_until
                """
            ).all()
            guard let row = rows.first else {
                do {
                    let first = LoginThrottleState(failureCount: 1, windowStartedAt: now, lockedUntil: nil)
                    try await LoginThrottleRecord(username: username, state: first).create(on: database)
                    return nil
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    continue  // another attempt made the row first: count on it
                }
            }
            let state = LoginThrottleState(
                failureCount: try row.decode(column: "failure_count", as: Int.self),
                windowStartedAt: try row.decode(column: "window_started_at", as: Date.self),
                lockedUntil: try row.decode(column: "locked_until", as: Date?.self))
            switch policy.decide(state, now: now) {
            case let .check(lockAfterFailure):
                return lockAfterFailure
            case let .refuse(until):
                throw Self.locked(until: until, now: now)
            case let .lock(until):
                try await lock(username, until: until)
                throw Self.locked(until: until, now: now)
            case .restartWindow:
                // Only if no other attempt was counted in between (else count again, on what it left).
                let restarted = try await sql.raw(
                    """
                    UPDATE \(ident: table) SET failure_count = 1, window_started_at = \(bind: now), locked_until = NULL
                    WHERE username = \(bind: username) AND failure_count = \(bind: state.failureCount) RETURNING failure_count
                    """
                ).all()
                if !restarted.isEmpty { return nil }
            }
        }
        throw Self.locked(until: now.addingTimeInterval(1), now: now)
    }

    /// Locks `username` until `until`, unless another attempt locked it already.
    private func lock(_ username: String, until: Date) async throws {
        try await LoginThrottleRecord.query(on: database).filter(\.$username == username).filter(\.$lockedUntil == nil)
            .set(\.$lockedUntil, to: until).update()
    }

    /// A new refresh token for `user` (its plaintext; only the digest is stored).
    package func issueRefreshToken(for user: User, family: UUID = UUID(), now: Date = Date()) async throws -> String {
        let token = Self.encode(SecretGenerator.bytes(32))
        let record = RefreshToken(
            userID: try user.requireID(), tokenHash: Self.digest(token), familyID: family,
            expiresAt: now.addingTimeInterval(refreshTokenLifetime)
        )
        try await record.create(on: database)
        return token
    }

    /// Exchanges a refresh token for a new one (the old one stops working).
    ///
    /// Presenting a token that was already rotated means it leaked: its whole family is revoked.
    /// - Throws: 401 `invalid_refresh_token`.
    package func rotate(refreshToken: String, now: Date = Date()) async throws -> (user: User, refreshToken: String) {
        guard
            let record = try await RefreshToken.query(on: database)
                .filter(\.$tokenHash == Self.digest(refreshToken)).with(\.$user).first()
        else {
            throw Self.invalidRefresh
        }
        if record.revokedAt != nil {
            try await RefreshToken.query(on: database).filter(\.$familyID == record.familyID)
                .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            throw Self.invalidRefresh
        }
        guard record.expiresAt > now, !record.user.disabled else { throw Self.invalidRefresh }
        // Rotated only if still unrotated, in one statement: of two presentations at once, one wins and the
        // other counts as reuse (the family is revoked).
        guard let sql = database as? any SQLDatabase else { throw PlatformError.invalidConfiguration("the system database speaks no SQL") }
        let rotated = try await sql.raw(
            """
            UPDATE \(ident: RefreshToken.schema) SET revoked_at = \(bind: now) WHERE id = \(bind: try record.requireID()) AND revoked_at IS NULL
            RETURNING id
            """
        ).all()
        guard !rotated.isEmpty else {
            try await RefreshToken.query(on: database).filter(\.$familyID == record.familyID)
                .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            throw Self.invalidRefresh
        }
        let next = try await issueRefreshToken(for: record.user, family: record.familyID, now: now)
        return (record.user, next)
    }

    /// Revokes `refreshToken` if it belongs to `userID`; answers whether it did.
    @discardableResult
    package func revoke(refreshToken: String, userID: UUID, now: Date = Date()) async throws -> Bool {
        guard
            let record = try await RefreshToken.query(on: database)
                .filter(\.$tokenHash == Self.digest(refreshToken)).filter(\.$user.$id == userID).first(),
            record.revokedAt == nil
        else { return false }
        record.revokedAt = now
        try await record.save(on: database)
        return true
    }

    /// Revokes every refresh token of a user (password change, deletion, disabling).
    package func revokeAll(userID: UUID, now: Date = Date()) async throws {
        try await RefreshToken.query(on: database).filter(\.$user.$id == userID)
            .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static let invalidCredentials = PlatformError(code: "invalid_credentials", status: 401, message: "wrong username or password")

    private static let invalidRefresh = PlatformError(
        code: "invalid_refresh_token", status: 401, message: "the refresh token is invalid, expired or revoked"
    )

    private static func locked(until: Date, now: Date) -> PlatformError {
        let seconds = Int(until.timeIntervalSince(now).rounded(.up))
        return PlatformError(
            code: "too_many_attempts", status: 429,
            message: "too many failed sign-ins for this user; try again in \(seconds) seconds",
            details: ["retry_after": String(seconds)]
        )
    }
}
