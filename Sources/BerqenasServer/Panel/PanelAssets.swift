import BerqenasPlatform
import Crypto
import Foundation
import Logging
import NIOCore

/// The web panel's files (`Panel/web`, shipped as the target's resources), read once when the hub starts.
///
/// Every file but `index.html` is served under `/assets/{version}/…`, where the version is a digest of all the
/// files: a browser may keep them for a year, and a new build is a new path. `index.html` names them through
/// `{{version}}` and is never cached without asking again.
struct PanelAssets: Sendable {
    struct File: Sendable {
        let contentType: String
        let body: ByteBuffer
        /// The body gzipped, when that is smaller.
        let gzipped: ByteBuffer?
    }

    /// The digest naming this build of the panel.
    let version: String
    let index: File
    /// By path under `web/`, e.g. `core/api.js`.
    let files: [String: File]

    /// The panel of `directory`, else the one shipped with this binary; nil (with a warning) when its files are
    /// missing.
    static func load(from directory: URL?, logger: Logger) -> PanelAssets? {
        let loaded = directory.map { directory in Result { try PanelAssets(directory: directory) } } ?? shipped
        switch loaded {
        case let .success(assets):
            return assets
        case let .failure(error):
            logger.warning("the web panel's files could not be read (\(error)): / answers 503")
            return nil
        case nil:
            logger.warning("the web panel's files are missing next to the binary: / answers 503")
            return nil
        }
    }

    /// The copy shipped with the binary, read and gzipped once per process (tests start many hubs).
    private static let shipped: Result<PanelAssets, any Error>? = Bundle.module.url(forResource: "web", withExtension: nil)
        .map { directory in Result { try PanelAssets(directory: directory) } }

    init(directory: URL) throws {
        var contents: [String: Data] = [:]
        let root = directory.standardizedFileURL.path + "/"
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = walker?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(root) else { continue }
            contents[String(path.dropFirst(root.count))] = try Data(contentsOf: url)
        }
        guard let template = contents.removeValue(forKey: "index.html") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: root + "index.html"])
        }
        var digest = SHA256()
        for path in contents.keys.sorted() {
            digest.update(data: Data(path.utf8))
            digest.update(data: contents[path] ?? Data())
        }
        digest.update(data: template)
        version = String(Data(digest.finalize()).hexString.prefix(16))
        let page = String(decoding: template, as: UTF8.self).replacingOccurrences(of: "{{version}}", with: version)
        index = Self.file(Data(page.utf8), path: "index.html")
        files = contents.reduce(into: [:]) { $0[$1.key] = Self.file($1.value, path: $1.key) }
    }

    private static func file(_ data: Data, path: String) -> File {
        let type = contentType(path)
        let compressed = type.hasPrefix("image/png") ? nil : Gzip.compress(data).flatMap { $0.count < data.count ? $0 : nil }
        return File(contentType: type, body: ByteBuffer(data: data), gzipped: compressed.map { ByteBuffer(data: $0) })
    }

    private static func contentType(_ path: String) -> String {
        switch path.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json", "webmanifest": "application/json"
        default: "application/octet-stream"
        }
    }
}
