import BerqenasPlatform
import Foundation
import JWT

/// Signs and checks access tokens with an HMAC key derived from the master key, so every hub process
/// sharing the master key accepts the others' tokens and tokens survive a restart.
struct TokenIssuer: Sendable {
    let keys: JWTKeyCollection
    let lifetime: TimeInterval

    static func make(secrets: SecretBox, lifetime: TimeInterval) async -> TokenIssuer {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: secrets.derivedKey(purpose: "access-token-signing")), digestAlgorithm: .sha256)
        return TokenIssuer(keys: keys, lifetime: lifetime)
    }

    /// A signed access token for `user`, valid for `lifetime` from `now`.
    func issue(for user: User, now: Date = Date()) async throws -> String {
        let payload = AccessTokenPayload(
            sub: .init(value: try user.requireID().uuidString),
            exp: .init(value: now.addingTimeInterval(lifetime)),
            iat: .init(value: now),
            name: user.username,
            role: user.role.rawValue,
            tenant: user.tenant?.name
        )
        return try await keys.sign(payload)
    }

    /// The payload of a valid, unexpired token.
    /// - Throws: 401 `invalid_token` otherwise.
    func verify(_ token: String) async throws -> AccessTokenPayload {
        do {
            return try await keys.verify(token, as: AccessTokenPayload.self)
        } catch {
            throw PlatformError(code: "invalid_token", status: 401, message: "the access token is invalid or expired")
        }
    }
}
