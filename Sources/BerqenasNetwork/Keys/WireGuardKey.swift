import Crypto
import Foundation

/// A WireGuard key: 32 bytes, written as base64 (44 characters) as `wg` does.
package struct WireGuardKey: Hashable, Sendable, CustomStringConvertible {
    package let bytes: Data

    /// Parses a base64 key; anything but 32 bytes of standard base64 is refused.
    package init(base64 text: String) throws {
        guard text.count == 44, let data = Data(base64Encoded: text), data.count == 32 else {
            throw NetworkError("invalid_key", "a WireGuard key is 32 bytes in base64 (44 characters, like `wg genkey` prints)")
        }
        self.bytes = data
    }

    init(bytes: Data) {
        self.bytes = bytes
    }

    package var base64: String { bytes.base64EncodedString() }

    /// The key as text. Private keys are values too: callers decide where they may go.
    package var description: String { base64 }
}

/// An X25519 key pair for a WireGuard interface or peer.
package struct WireGuardKeyPair: Sendable {
    package let privateKey: WireGuardKey
    package let publicKey: WireGuardKey

    /// A fresh pair from the system's random source.
    /// The private key is clamped as `wg genkey` prints it (X25519 clamps anyway; the text then matches).
    package static func generate() -> WireGuardKeyPair {
        var raw = [UInt8](Curve25519.KeyAgreement.PrivateKey().rawRepresentation)
        raw[0] &= 248
        raw[31] = (raw[31] & 127) | 64
        // A clamped 32-byte value is always a valid X25519 private key.
        return try! WireGuardKeyPair(privateKey: WireGuardKey(bytes: Data(raw)))
    }

    /// The pair of an existing private key (its public key derived as `wg pubkey` does).
    package init(privateKey: WireGuardKey) throws {
        let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey.bytes)
        self.init(privateKey: privateKey, publicKey: WireGuardKey(bytes: key.publicKey.rawRepresentation))
    }

    init(privateKey: WireGuardKey, publicKey: WireGuardKey) {
        self.privateKey = privateKey
        self.publicKey = publicKey
    }
}
