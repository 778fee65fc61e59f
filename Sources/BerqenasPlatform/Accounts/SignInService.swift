import Crypto
import FluentKit
import Foundation

/// Checks credentials under the lockout policy and keeps refresh tokens (issue, rotate, revoke).
public struct SignInService: Sendable {
    let database: any Database
    let hasher: PasswordHasher
    let policy: LoginThrottlePolicy
    let refreshTokenLifetime: TimeInterval

    /// Creates the service.
    public init(database: any Database, hasher: PasswordHasher, policy: LoginThrottlePolicy = .standard,
                refreshTokenLifetime: TimeInterval) {
        self.database = database
        self.hasher = hasher
        self.policy = policy
        self.refreshTokenLifetime = refreshTokenLifetime
    }

    /// The user whose credentials these are.
    /// - Throws: 429 `too_many_attempts` while locked; 401 `invalid_credentials` otherwise, the same
    ///   for an unknown user, a wrong password and a disabled account.
    public func verifyCredentials(username: String, password: String, now: Date = Date()) async throws -> User {
        let record = try await LoginThrottleRecord.query(on: database).filter(\.$username == username).first()
        if let until = policy.lockedUntil(record?.state, now: now) {
            throw Self.locked(until: until, now: now)
        }
        let user = try await User.query(on: database).filter(\.$username == username).with(\.$tenant).first()
        let matches = try await hasher.verify(password, against: user?.passwordHash)
        guard let user, matches, !user.disabled else {
            let next = policy.recordingFailure(record?.state, now: now)
            if let record {
                record.apply(next)
                try await record.save(on: database)
            } else {
                try await LoginThrottleRecord(username: username, state: next).create(on: database)
            }
            throw PlatformError(code: "invalid_credentials", status: 401, message: "wrong username or password")
        }
        if let record { try await record.delete(on: database) }
        return user
    }

    /// A new refresh token for `user` (its plaintext; only the digest is stored).
    public func issueRefreshToken(for user: User, family: UUID = UUID(), now: Date = Date()) async throws -> String {
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
    public func rotate(refreshToken: String, now: Date = Date()) async throws -> (user: User, refreshToken: String) {
        guard let record = try await RefreshToken.query(on: database)
            .filter(\.$tokenHash == Self.digest(refreshToken)).with(\.$user).first() else {
            throw Self.invalidRefresh
        }
        if record.revokedAt != nil {
            try await RefreshToken.query(on: database).filter(\.$familyID == record.familyID)
                .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            throw Self.invalidRefresh
        }
        guard record.expiresAt > now, !record.user.disabled else { throw Self.invalidRefresh }
        record.revokedAt = now
        try await record.save(on: database)
        let next = try await issueRefreshToken(for: record.user, family: record.familyID, now: now)
        return (record.user, next)
    }

    /// Revokes `refreshToken` if it belongs to `userID`; answers whether it did.
    @discardableResult
    public func revoke(refreshToken: String, userID: UUID, now: Date = Date()) async throws -> Bool {
        guard let record = try await RefreshToken.query(on: database)
            .filter(\.$tokenHash == Self.digest(refreshToken)).filter(\.$user.$id == userID).first(),
            record.revokedAt == nil else { return false }
        record.revokedAt = now
        try await record.save(on: database)
        return true
    }

    /// Revokes every refresh token of a user (password change, deletion, disabling).
    public func revokeAll(userID: UUID, now: Date = Date()) async throws {
        try await RefreshToken.query(on: database).filter(\.$user.$id == userID)
            .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

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
