import NIOPosix
import Vapor

/// bcrypt hashing off the event loops, at a configured work factor.
package struct PasswordHasher: Sendable {
    /// bcrypt work factor.
    package let cost: Int
    /// A well-formed bcrypt hash of the same cost that matches no password. Verifying against it when the
    /// user does not exist takes as long as a real check, so timing does not reveal which usernames exist.
    /// It is random text in bcrypt's format rather than a computed hash, so start-up pays nothing for it.
    private let decoyHash: String
    /// bcrypt runs at most on half the cores at once (the thread pool it uses serves the database drivers too),
    /// whatever the number of sign-ins in flight.
    private static let running = ConcurrencyLimit(System.coreCount / 2)

    /// Creates a hasher with `cost`.
    package init(cost: Int) throws {
        self.cost = cost
        let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<53).map { _ in alphabet.randomElement(using: &generator)! })
        self.decoyHash = "$2b$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$" + body
    }

    /// The bcrypt hash of `password`.
    package func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await Self.running.run { try await NIOThreadPool.singleton.runIfActive { try Bcrypt.hash(password, cost: cost) } }
    }

    /// Whether `password` matches `hash`; with no hash, spends the same time and answers false.
    package func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await Self.running.run {
            try await NIOThreadPool.singleton.runIfActive { try Bcrypt.verify(password, created: target) }
        }
        return hash != nil && matches
    }
}
