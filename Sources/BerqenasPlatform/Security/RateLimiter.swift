/// Per-key request budgets (API keys, client addresses): a token bucket holding a minute's allowance, refilled
/// continuously, so a key of N per minute may burst N and then go on at N/60 a second. Buckets that have
/// refilled are forgotten once there are many, so callers with ever new keys cannot grow it without bound.
public actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private var buckets: [String: Bucket] = [:]
    private let clock = ContinuousClock()

    public init() {}

    /// Takes one request from `key`'s budget of `perMinute`; nil when allowed, else the seconds to wait.
    public func take(_ key: String, perMinute: Int) -> Int? {
        let now = clock.now
        let rate = Double(perMinute) / 60
        if buckets.count >= Self.pruneAbove { prune(now: now, rate: rate, capacity: Double(perMinute)) }
        var bucket = buckets[key] ?? Bucket(tokens: Double(perMinute), updated: now)
        bucket.tokens = min(Double(perMinute), bucket.tokens + Self.seconds(now - bucket.updated) * rate)
        bucket.updated = now
        defer { buckets[key] = bucket }
        guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
        bucket.tokens -= 1
        return nil
    }

    /// How many buckets are kept before full ones are dropped.
    static let pruneAbove = 10_000

    /// Drops the buckets that would be full again (a new bucket starts full: forgetting them changes nothing).
    private func prune(now: ContinuousClock.Instant, rate: Double, capacity: Double) {
        buckets = buckets.filter { $0.value.tokens + Self.seconds(now - $0.value.updated) * rate < capacity }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
