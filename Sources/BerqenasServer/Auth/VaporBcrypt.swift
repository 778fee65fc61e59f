import BerqenasPlatform
import Vapor

extension BcryptFunction {
    /// Vapor's bcrypt, which the platform's password hasher runs.
    static let vapor = BcryptFunction(
        hash: { password, cost in try Bcrypt.hash(password, cost: cost) },
        verify: { password, hash in try Bcrypt.verify(password, created: hash) }
    )
}
