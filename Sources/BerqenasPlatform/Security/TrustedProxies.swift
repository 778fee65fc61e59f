import Foundation

/// Which peer addresses are reverse proxies whose `X-Forwarded-For` header names the real client
/// (`BERQENAS_TRUSTED_PROXIES`). With none, the peer is the client and the header is ignored: anyone could
/// write it.
package struct TrustedProxies: Sendable {
    let ranges: [IPRange]

    /// Reads a comma-separated list of addresses or CIDR ranges.
    /// - Throws: `PlatformError` naming the variable for an entry that is neither.
    package init(_ text: String?) throws {
        ranges = try (text ?? "").split(separator: ",").map { raw in
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard let range = IPRange(entry) else {
                throw PlatformError.invalidConfiguration("BERQENAS_TRUSTED_PROXIES: '\(entry)' is not an address or CIDR range")
            }
            return range
        }
    }

    /// The client's address: walking `X-Forwarded-For` from the right (the entry the nearest proxy added),
    /// the first address that is not a trusted proxy; the peer itself when it is not one.
    package func client(peer: String?, forwardedFor: [String]) -> String? {
        guard var current = peer else { return nil }
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in chain.reversed() {
            guard isTrusted(current), IPRange.bytes(of: hop) != nil else { break }
            current = hop
        }
        return current
    }

    func isTrusted(_ address: String) -> Bool {
        guard let bytes = IPRange.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }
}
