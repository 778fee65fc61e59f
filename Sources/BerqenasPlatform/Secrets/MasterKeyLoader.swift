import Crypto
import Foundation

/// Finds the hub's master key: from the configuration, or from a key file it creates on first start.
package enum MasterKeyLoader {
    /// Returns the master key for `configuration`, creating `<data dir>/master.key` (0600) when needed (unless
    /// `creating` is false: then a missing key is an error).
    /// - Throws: `PlatformError` when the given key is not base64 of 32 bytes or the file is damaged.
    package static func load(_ configuration: PlatformConfiguration, creating: Bool = true) throws -> SymmetricKey {
        if let base64 = configuration.masterKeyBase64 {
            return try decode(base64, source: "BERQENAS_MASTER_KEY")
        }
        let file = configuration.masterKeyFile
        if FileManager.default.fileExists(atPath: file.path) {
            let text = try String(contentsOf: file, encoding: .utf8)
            return try decode(text.trimmingCharacters(in: .whitespacesAndNewlines), source: file.path)
        }
        guard creating else {
            throw PlatformError.invalidConfiguration("no master key: BERQENAS_MASTER_KEY is unset and \(file.path) does not exist")
        }
        let key = SymmetricKey(size: .bits256)
        try PrivateFile.write(encoded(key) + "\n", to: file)
        return key
    }

    /// The key as the key file and `BERQENAS_MASTER_KEY` hold it.
    package static func encoded(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    package static func decode(_ base64: String, source: String) throws -> SymmetricKey {
        guard let data = Data(base64Encoded: base64), data.count == 32 else {
            throw PlatformError.invalidConfiguration("\(source) must be base64 of exactly 32 bytes")
        }
        return SymmetricKey(data: data)
    }
}

/// Writes files only their owner may read.
package enum PrivateFile {
    /// Creates (or replaces) `url` with mode 0600, creating its folder if needed.
    package static func write(_ contents: String, to url: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
        guard manager.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw PlatformError.invalidConfiguration("cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(contents.utf8))
        // On the disk before anything relies on it (a key must survive a power loss).
        try handle.synchronize()
        try syncFolder(of: url)
    }

    /// Makes a file's creation, removal or renaming in its folder durable.
    package static func syncFolder(of url: URL) throws {
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        guard folder >= 0 else { throw PlatformError.invalidConfiguration("cannot open \(url.deletingLastPathComponent().path)") }
        defer { close(folder) }
        guard fsync(folder) == 0 else { throw PlatformError.invalidConfiguration("cannot sync \(url.deletingLastPathComponent().path)") }
    }
}
