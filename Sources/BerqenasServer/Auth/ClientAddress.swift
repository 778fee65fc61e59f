import BerqenasPlatform
import Vapor

extension Request {
    /// The client's address: the peer's, or behind a trusted reverse proxy (`BERQENAS_TRUSTED_PROXIES`) the one
    /// its `X-Forwarded-For` names. What rate limits, API-key networks and the audit trail go by.
    var clientAddress: String? {
        berqenas.platform.trustedProxies.client(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor])
    }

    /// Takes one request from the client address's budget in `limiter`; a 429 with `Retry-After` when it is spent.
    func takeClientBudget(_ limiter: RateLimiter, perMinute: Int, what: String) async throws {
        guard let wait = limiter.take(RateLimiter.clientKey(clientAddress), perMinute: perMinute) else { return }
        throw PlatformError(
            code: "rate_limited", status: 429, message: "too many \(what) from this address; retry after \(wait) s",
            details: ["retry_after": String(wait)])
    }
}
