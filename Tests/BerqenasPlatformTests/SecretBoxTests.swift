import BerqenasPlatform
import Crypto
import Foundation
import Testing

@Suite struct SecretBoxTests {
    @Test func sealedValuesOpenOnlyWithTheSameKeyAndContext() throws {
        let box = SecretBox(key: SymmetricKey(size: .bits256))
        let sealed = try box.seal("s3cret-value", context: "tenant-role:acme")
        #expect(!sealed.contains("s3cret-value"))
        #expect(try box.open(sealed, context: "tenant-role:acme") == "s3cret-value")
        #expect(throws: PlatformError.self) { try box.open(sealed, context: "tenant-role:beta") }
        let other = SecretBox(key: SymmetricKey(size: .bits256))
        #expect(throws: PlatformError.self) { try other.open(sealed, context: "tenant-role:acme") }
    }

    @Test func sealingTwiceGivesDifferentCiphertexts() throws {
        let box = SecretBox(key: SymmetricKey(size: .bits256))
        #expect(try box.seal("same") != box.seal("same"))
    }

    @Test func masterKeyFileIsCreatedPrivateAndReused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berqenas-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = PlatformConfiguration(dataDirectory: directory)
        let first = try MasterKeyLoader.load(configuration)
        let second = try MasterKeyLoader.load(configuration)
        #expect(first == second)
        let attributes = try FileManager.default.attributesOfItem(atPath: configuration.masterKeyFile.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aMalformedMasterKeyIsAClearError() {
        let configuration = PlatformConfiguration(masterKeyBase64: "dG9vLXNob3J0")
        #expect {
            _ = try MasterKeyLoader.load(configuration)
        } throws: { error in
            (error as? PlatformError)?.message.contains("BERQENAS_MASTER_KEY") == true
        }
    }

    @Test func scramVerifierMatchesTheRFC7677Example() {
        // RFC 7677 section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
        let salt = Array(Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
        let verifier = ScramVerifier.make(password: "pencil", salt: salt, iterations: 4096)
        // ServerSignature in the RFC is derived from this ServerKey; StoredKey/ServerKey below were computed
        // independently with Python's hashlib.pbkdf2_hmac and hmac for the same inputs.
        #expect(
            verifier
                == "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
        )
    }
}
