import NIOCore
import NIOPosix

/// The bcrypt function itself. The platform links no web framework for it: the server hands in Vapor's
/// (`BcryptFunction.vapor`).
package struct BcryptFunction: Sendable {
    package var hash: @Sendable (_ password: String, _ cost: Int) throws -> String
    package var verify: @Sendable (_ password: String, _ hash: String) throws -> Bool

    package init(
        hash: @escaping @Sendable (_ password: String, _ cost: Int) throws -> String,
        verify: @escaping @Sendable (_ password: String, _ hash: String) throws -> Bool
    ) {
        self.hash = hash
        self.verify = verify
    }
}

/// bcrypt hashing off the event loops, at a configured work factor.
package struct PasswordHasher: Sendable {
    /// bcrypt work factor.
    package let cost: Int
    private let bcrypt: BcryptFunction
    /// A well-formed bcrypt hash of the same cost that matches no password. Verifying against it when the
    /// user does not exist takes as long as a real check, so timing does not reveal which usernames exist.
    /// It is random text in bcrypt's format rather than a computed hash, so start-up pays nothing for it.
    private let decoyHash: String
    /// bcrypt runs at most on half the cores at once (the thread pool it uses serves the database drivers too),
    /// whatever the number of sign-ins in flight.
    private static let running = ConcurrencyLimit(System.coreCount / 2)

    /// Creates a hasher with `cost`.
    package init(cost: Int, bcrypt: BcryptFunction) throws {
        self.cost = cost
        self.bcrypt = bcrypt
        let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<53).map { _ in alphabet.randomElement(using: &generator)! })
        self.decoyHash = "$2b$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$" + body
    }

    /// The bcrypt hash of `password`.
    package func hash(_ password: String) async throws -> String {
        let (cost, bcrypt) = (self.cost, self.bcrypt)
        return try await Self.running.run { try await NIOThreadPool.singleton.runIfActive { try bcrypt.hash(password, cost) } }
    }

    /// Whether `password` matches `hash`; with no hash, spends the same time and answers false.
    package func verify(_ password: String, against hash: String?) async throws -> Bool {
        let (target, bcrypt) = (hash ?? decoyHash, self.bcrypt)
        let matches = try await Self.running.run {
            try await NIOThreadPool.singleton.runIfActive { try bcrypt.verify(password, target) }
        }
        return hash != nil && matches
    }
}
