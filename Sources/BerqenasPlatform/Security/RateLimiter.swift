import Synchronization

/// Per-key request budgets (API keys, client addresses): a token bucket holding a minute's allowance, refilled
/// continuously, so a key of N per minute may burst N and then go on at N/60 a second. However many keys
/// callers make up, the buckets stay bounded: full ones are forgotten (a new bucket starts full), and past
/// the bound the least recently used go.
package final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
        let perMinute: Int

        /// The tokens it would hold at `now`.
        func refilled(at now: ContinuousClock.Instant) -> Double {
            min(Double(perMinute), tokens + RateLimiter.seconds(now - updated) * Double(perMinute) / 60)
        }
    }

    /// Taken on the request path for a few dictionary operations: a lock, not an actor hop per request.
    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()

    package init() {}

    /// Takes one request from `key`'s budget of `perMinute`; nil when allowed, else the seconds to wait.
    package func take(_ key: String, perMinute: Int) -> Int? {
        let now = clock.now
        return buckets.withLock { buckets in
            if buckets.count >= Self.bound { Self.prune(&buckets, now: now) }
            var bucket = buckets[key] ?? Bucket(tokens: Double(perMinute), updated: now, perMinute: perMinute)
            bucket.tokens = bucket.refilled(at: now)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / (Double(perMinute) / 60)).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// How many buckets are kept at most.
    static let bound = 10_000

    /// Drops the full buckets; if that is not enough, the least recently used half.
    private static func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { $0.value.refilled(at: now) < Double($0.value.perMinute) }
        guard buckets.count >= bound / 2 else { return }
        let recent = buckets.sorted { $0.value.updated > $1.value.updated }.prefix(bound / 2)
        buckets = Dictionary(uniqueKeysWithValues: recent.map { ($0.key, $0.value) })
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The key a client address is limited by: an IPv4 address itself, an IPv6 address by its /64 (one site's
    /// network, which a single client can fill with addresses).
    package static func clientKey(_ address: String?) -> String {
        guard let address, let bytes = IPRange.bytes(of: address) else { return address ?? "unknown" }
        if IPRange.isMappedV4(bytes) { return IPRange.text(of: bytes) }
        return bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }
}
