import NIOPosix
import Vapor

/// bcrypt hashing off the event loops, at a configured work factor.
public struct PasswordHasher: Sendable {
    /// bcrypt work factor.
    public let cost: Int
    /// A hash of a random password, verified against when the user does not exist so the answer takes as long.
    private let decoyHash: String

    /// Creates a hasher with `cost`.
    public init(cost: Int) throws {
        self.cost = cost
        self.decoyHash = try Bcrypt.hash(SecretGenerator.alphanumeric(length: 24), cost: cost)
    }

    /// The bcrypt hash of `password`.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash, spends the same time and answers false.
    public func verify(_ password: String, against hash: String?) async throws -> Bool {
        let target = hash ?? decoyHash
        let matches = try await NIOThreadPool.singleton.runIfActive { try Bcrypt.verify(password, created: target) }
        return hash != nil && matches
    }
}
