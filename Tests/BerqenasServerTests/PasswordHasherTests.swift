import BerqenasPlatform
import Foundation
import Testing

@testable import BerqenasServer

@Suite struct PasswordHasherTests {
    @Test func hashesVerifyAndTheDecoyMatchesNothing() async throws {
        let hasher = try PasswordHasher(cost: 4, bcrypt: .vapor)
        let hash = try await hasher.hash("long-password-1")
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(try await hasher.verify("long-password-1", against: hash))
        #expect(try await !hasher.verify("long-password-2", against: hash))
        // No stored hash: the decoy must parse (bcrypt then does its full work) and match nothing.
        #expect(try await !hasher.verify("long-password-1", against: nil))
    }
}
