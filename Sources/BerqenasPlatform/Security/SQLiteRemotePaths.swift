import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where SQLite remote databases may live: only under the directory the operator names
/// (`BERQENAS_SQLITE_REMOTE_DIR`, none by default), never inside the hub's data directory (its system database,
/// tenant stores and key file). Paths are compared after resolving symbolic links, so a link planted inside
/// the allowed directory cannot point out of it.
package struct SQLiteRemotePaths: Sendable {
    /// The allowed directory; nil: SQLite remote databases are refused.
    let allowed: URL?
    /// The hub's data directory.
    let dataDirectory: URL

    package init(allowed: URL?, dataDirectory: URL) {
        self.allowed = allowed
        self.dataDirectory = dataDirectory
    }

    /// The resolved absolute path of `path`, if a SQLite remote database may be there.
    /// - Throws: a 422 naming the `database` field otherwise.
    package func check(_ path: String) throws -> String {
        guard let allowed else {
            throw PlatformError.validation(
                field: "database",
                "sqlite remote databases are disabled on this hub: the operator names a directory for them in BERQENAS_SQLITE_REMOTE_DIR")
        }
        guard path.hasPrefix("/"), !path.utf8.contains(0), !path.hasPrefix("file:") else {
            throw PlatformError.validation(field: "database", "must be an absolute file path under the directory BERQENAS_SQLITE_REMOTE_DIR names")
        }
        // The file itself may not be a link (a dangling one would be followed when SQLite creates the file).
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw PlatformError.validation(field: "database", "must not be a symbolic link")
        }
        let resolved = Self.resolve(path)
        guard Self.isInside(resolved, Self.resolve(allowed.path)) else {
            throw PlatformError.validation(field: "database", "must be a file under the directory BERQENAS_SQLITE_REMOTE_DIR names (\(allowed.path))")
        }
        guard !Self.isInside(resolved, Self.resolve(dataDirectory.path)) else {
            throw PlatformError.validation(field: "database", "must not be inside the hub's data directory")
        }
        return resolved
    }

    /// `path` with every symbolic link resolved; for a file that does not exist yet, its nearest existing
    /// parent resolved and the rest appended.
    static func resolve(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var existing = url
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var resolved = existing.resolvingSymlinksInPath()
        for component in rest { resolved.appendPathComponent(component) }
        return resolved.standardizedFileURL.path
    }

    /// Whether `path` is `directory` or below it.
    static func isInside(_ path: String, _ directory: String) -> Bool {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return path == directory || path.hasPrefix(base)
    }
}
