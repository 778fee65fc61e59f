import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Crypto
import FluentKit
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
            --new-key-file gives one; it waits in master.key.new (written before any secret is sealed with it) and \
            replaces master.key once every secret is re-sealed. A run interrupted between the two is finished by \
            running the command again. With a key from the environment, give the new key with --new-key-file \
            (umask 077; openssl rand -base64 32 > new.key) and change the variable or secret before starting the servers.
            """
    )

    @ArgumentParser.Option(help: "A file holding the new key: base64 of 32 bytes.")
    var newKeyFile: String?

    func run() async throws {
        let configuration = try PlatformConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        let inDataDirectory = configuration.masterKeyBase64 == nil
        let given = try newKeyFile.map { path in
            try MasterKeyLoader.decode(
                try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), source: path)
        }
        guard given != nil || inDataDirectory else {
            throw ValidationError(
                "the current key comes from BERQENAS_MASTER_KEY or BERQENAS_MASTER_KEY_FILE: give the new one with --new-key-file")
        }
        let app = try await Application.make(Environment(name: "production", arguments: ["berqenas"]))
        do {
            try await BerqenasServer.migrate(app, configuration: configuration)
            let message = try await rotate(configuration, given: given, on: app.db)
            try? await app.asyncShutdown()
            print(message)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// The rotation; with the data directory's key file, staged so that no interruption loses the key.
    private func rotate(_ configuration: PlatformConfiguration, given: SymmetricKey?, on database: any Database) async throws -> String {
        let current = SecretBox(key: try MasterKeyLoader.load(configuration, creating: false))
        guard configuration.masterKeyBase64 == nil else {
            let counts = try await MasterKeyRotation.rotate(from: current, to: SecretBox(key: given!), on: database)
            return "re-sealed \(counts); start the servers with the new key"
        }
        let keyFile = configuration.masterKeyFile
        let staged = keyFile.appendingPathExtension("new")
        if FileManager.default.fileExists(atPath: staged.path) {
            // An earlier run staged a key: it either sealed everything (finish its move) or nothing (it goes).
            let earlier = try MasterKeyLoader.decode(
                try String(contentsOf: staged, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), source: staged.path)
            if try await MasterKeyCheck.opens(SecretBox(key: earlier), on: database) {
                try replace(keyFile, with: staged)
                return "finished an earlier rotation: \(keyFile.path) holds the key the secrets are sealed with; run again to rotate"
            }
            guard try await MasterKeyCheck.opens(current, on: database) else {
                throw ValidationError("neither \(keyFile.path) nor \(staged.path) opens this hub's secrets: nothing was changed")
            }
            try FileManager.default.removeItem(at: staged)
        }
        let new = given ?? SymmetricKey(size: .bits256)
        try PrivateFile.write(MasterKeyLoader.encoded(new) + "\n", to: staged)
        let counts: MasterKeyRotation.Counts
        do {
            counts = try await MasterKeyRotation.rotate(from: current, to: SecretBox(key: new), on: database)
        } catch {
            // The staged key goes only when the database provably still opens with the current one.
            if (try? await MasterKeyCheck.opens(current, on: database)) == true { try? FileManager.default.removeItem(at: staged) }
            throw error
        }
        try replace(keyFile, with: staged)
        return "re-sealed \(counts); \(keyFile.path) holds the new key"
    }

    private func replace(_ keyFile: URL, with staged: URL) throws {
        guard rename(staged.path, keyFile.path) == 0 else {
            throw ValidationError("the secrets are sealed with the key in \(staged.path); move it over \(keyFile.path) yourself")
        }
        try PrivateFile.syncFolder(of: keyFile)
    }
}
