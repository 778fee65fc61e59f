import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The data directory holds the system database, the tenants' stores and the master key: only the hub's own
/// user may enter it (0700), and what the hub creates anywhere is its own alone (umask 077: files 0600).
enum PrivateDataDirectory {
    static func prepare(_ directory: URL) throws {
        umask(0o077)
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        // A directory made by an earlier version, or by hand, is closed too.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
    }
}
