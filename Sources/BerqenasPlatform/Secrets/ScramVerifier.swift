import Crypto
import Foundation

/// Builds PostgreSQL SCRAM-SHA-256 password verifiers, so a role's plaintext password never travels to
/// the server (nor into its statement log).
package enum ScramVerifier {
    /// The verifier for `password`, in the `SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey` form
    /// PostgreSQL accepts in `CREATE ROLE … PASSWORD`.
    /// - Parameter password: ASCII letters and digits only (SASLprep is then the identity).
    package static func make(password: String, salt: [UInt8]? = nil, iterations: Int = 4096) -> String {
        let saltBytes = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        let salted = pbkdf2(password: Array(password.utf8), salt: saltBytes, iterations: iterations)
        let saltedKey = SymmetricKey(data: salted)
        let clientKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Client Key".utf8), using: saltedKey))
        let storedKey = Data(SHA256.hash(data: clientKey))
        let serverKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Server Key".utf8), using: saltedKey))
        return "SCRAM-SHA-256$\(iterations):\(Data(saltBytes).base64EncodedString())$"
            + "\(storedKey.base64EncodedString()):\(serverKey.base64EncodedString())"
    }

    /// PBKDF2-HMAC-SHA256 with one 32-byte block, as SCRAM's Hi() function.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<iterations {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }
}
