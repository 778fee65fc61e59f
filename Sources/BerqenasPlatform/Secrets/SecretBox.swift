import Crypto
import Foundation

/// Seals and opens secrets with AES-256-GCM under the hub's master key.
///
/// A sealed value is `v1:` followed by base64 of nonce, ciphertext and tag. The optional `context`
/// is bound as authenticated data, so a value sealed for one row cannot be pasted into another.
package struct SecretBox: Sendable {
    private let key: SymmetricKey

    /// Creates a box over a 32-byte key.
    package init(key: SymmetricKey) {
        self.key = key
    }

    /// Seals `plaintext`; the result is safe to store.
    package func seal(_ plaintext: String, context: String = "") throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else {
            throw PlatformError(code: "seal_failed", status: 500, message: "could not seal a secret")
        }
        return "v1:" + combined.base64EncodedString()
    }

    /// Opens a value made by `seal`.
    /// - Throws: `PlatformError` with code `secret_unreadable` when the key or context does not match.
    package func open(_ sealed: String, context: String = "") throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw Self.unreadable
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
            guard let text = String(data: plain, encoding: .utf8) else { throw Self.unreadable }
            return text
        } catch {
            throw Self.unreadable
        }
    }

    /// A key for another purpose derived from the master key (HKDF-SHA256), so one secret stays the root.
    package func derivedKey(purpose: String, byteCount: Int = 32) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key,
            info: Data("berqenas:\(purpose)".utf8),
            outputByteCount: byteCount
        )
    }

    private static let unreadable = PlatformError(
        code: "secret_unreadable", status: 500,
        message: "a stored secret could not be opened with the current master key"
    )
}
