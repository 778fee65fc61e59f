import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Crypto
import Foundation
import Vapor

/// `berqenas rotate-master-key`: re-seals every stored secret under a new master key, in one transaction.
/// Every server of the hub must be stopped first (a running one keeps the old key in memory).
struct RotateMasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-master-key",
        abstract: "Re-seal every stored secret under a new master key (stop every server of the hub first).",
        discussion: """
            The current key is the one `serve` would use (BERQENAS_MASTER_KEY, BERQENAS_MASTER_KEY_FILE or the data \
            directory's master.key). With the key file in the data directory, a new key is generated unless \
            --new-key-file gives one, and master.key is replaced once every secret is re-sealed (the new key waits in \
            master.key.new until then). With a key from the environment, give the new key with --new-key-file \
            (openssl rand -base64 32 > new.key) and change the variable or secret before starting the servers.
            """
    )

    @ArgumentParser.Option(help: "A file holding the new key: base64 of 32 bytes.")
    var newKeyFile: String?

    func run() async throws {
        let configuration = try PlatformConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        let keyInDataDirectory = configuration.masterKeyBase64 == nil
        let newKey: SymmetricKey
        if let path = newKeyFile {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            newKey = try MasterKeyLoader.decode(text, source: path)
        } else if keyInDataDirectory {
            newKey = SymmetricKey(size: .bits256)
        } else {
            throw ValidationError(
                "the current key comes from BERQENAS_MASTER_KEY or BERQENAS_MASTER_KEY_FILE: give the new one with --new-key-file")
        }
        // The new key is on disk before any secret is sealed with it: a crash in between loses nothing.
        let staged = configuration.masterKeyFile.appendingPathExtension("new")
        if keyInDataDirectory { try PrivateFile.write(MasterKeyLoader.encoded(newKey) + "\n", to: staged) }
        let app = try await Application.make(Environment(name: "production", arguments: ["berqenas"]))
        let counts: MasterKeyRotation.Counts
        do {
            counts = try await BerqenasServer.rotateMasterKey(app, configuration: configuration, to: newKey)
        } catch {
            try? await app.asyncShutdown()
            if keyInDataDirectory { try? FileManager.default.removeItem(at: staged) }
            throw error
        }
        try await app.asyncShutdown()
        if keyInDataDirectory {
            guard rename(staged.path, configuration.masterKeyFile.path) == 0 else {
                throw ValidationError(
                    "secrets re-sealed, but \(staged.path) could not replace \(configuration.masterKeyFile.path): move it there yourself")
            }
            print("re-sealed \(counts); \(configuration.masterKeyFile.path) holds the new key")
        } else {
            print("re-sealed \(counts); start the servers with the new key")
        }
    }
}
