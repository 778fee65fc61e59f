/// Per-key request budgets: a token bucket holding a minute's allowance, refilled continuously, so a key
/// of N per minute may burst N and then go on at N/60 a second.
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
        var bucket = buckets[key] ?? Bucket(tokens: Double(perMinute), updated: now)
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(Double(perMinute), bucket.tokens + seconds * rate)
        bucket.updated = now
        defer { buckets[key] = bucket }
        guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
        bucket.tokens -= 1
        return nil
    }
}
