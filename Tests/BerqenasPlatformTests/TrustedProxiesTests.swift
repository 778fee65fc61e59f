import Testing

@testable import BerqenasPlatform

/// Whose address a request comes from: the peer's, unless the peer is a trusted proxy.
struct TrustedProxiesTests {
    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let none = try TrustedProxies(nil)
        #expect(none.client(peer: "198.18.0.9", forwardedFor: ["203.0.113.7"]) == "198.18.0.9", "anyone can write the header")
        let proxies = try TrustedProxies("198.18.0.0/24, ::1")
        #expect(proxies.client(peer: "198.18.0.9", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        #expect(
            proxies.client(peer: "198.18.0.9", forwardedFor: ["203.0.113.7, 198.18.0.2"]) == "203.0.113.7",
            "trusted hops are skipped from the right")
        #expect(
            proxies.client(peer: "198.18.0.9", forwardedFor: ["10.9.9.9, 203.0.113.7"]) == "203.0.113.7",
            "what the client wrote itself, left of the first untrusted hop, is not believed")
        #expect(proxies.client(peer: "198.18.0.9", forwardedFor: ["not-an-address"]) == "198.18.0.9")
        #expect(proxies.client(peer: "198.19.0.1", forwardedFor: ["203.0.113.7"]) == "198.19.0.1", "an untrusted peer")
        #expect(throws: PlatformError.self) { try TrustedProxies("198.18.0.0/33") }
    }
}
