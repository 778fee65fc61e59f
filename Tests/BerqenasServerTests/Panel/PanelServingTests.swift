import BerqenasTestSupport
import Foundation
import Testing

/// The web panel as the hub serves it: one page that is asked for again each time, files under a versioned
/// path kept for a year, gzip, and headers that keep the panel out of frames and its scripts to the hub's own.
struct PanelServingTests {
    @Test func thePageAndItsFilesAreServedVersionedGzippedAndLockedDown() async throws {
        try await TestHub.run { hub in
            let page = try await hub.send(.GET, "/")
            #expect(page.status == .ok)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.headers.first(name: "Cache-Control") == "no-cache")
            let policy = try #require(page.headers.first(name: "Content-Security-Policy"))
            #expect(policy.contains("script-src 'self';") && policy.contains("frame-ancestors 'none'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(page.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(page.headers.first(name: "Cross-Origin-Opener-Policy") == nil, "plain HTTP: a browser would log it as ignored")
            let proxied = try await hub.send(.GET, "/", headers: ["X-Forwarded-Proto": "https"])
            #expect(proxied.headers.first(name: "Cross-Origin-Opener-Policy") == "same-origin")

            // The page names its files under one version; that version serves them, another does not.
            let html = page.body.string
            let version = try #require(html.firstMatch(of: /\/assets\/([0-9a-f]{16})\/app\.js/)?.1)
            #expect(!html.contains("{{version}}"))
            let script = try await hub.send(.GET, "/assets/\(version)/app.js")
            #expect(script.status == .ok && script.headers.first(name: "Content-Type")?.hasPrefix("text/javascript") == true)
            #expect(script.headers.first(name: "Cache-Control") == "public, max-age=31536000, immutable")
            #expect(script.headers.first(name: "Content-Encoding") == nil, "not gzipped for a client that did not ask")
            let gzipped = try await hub.send(.GET, "/assets/\(version)/app.js", headers: ["Accept-Encoding": "br, gzip;q=0.8"])
            #expect(gzipped.headers.first(name: "Content-Encoding") == "gzip")
            #expect(Array(gzipped.body.readableBytesView.prefix(2)) == [0x1f, 0x8b], "a gzip stream")
            #expect(gzipped.body.readableBytes < script.body.readableBytes)
            let refused = try await hub.send(.GET, "/assets/\(version)/app.js", headers: ["Accept-Encoding": "gzip;q=0"])
            #expect(refused.headers.first(name: "Content-Encoding") == nil)
            #expect(try await hub.send(.GET, "/assets/0000000000000000/app.js").status == .notFound)
            #expect(try await hub.send(.GET, "/assets/\(version)/no-such.js").status == .notFound)

            // Asked again with the page's tag: not sent again.
            let tag = try #require(page.headers.first(name: "ETag"))
            #expect(try await hub.send(.GET, "/", headers: ["If-None-Match": tag]).status == .notModified)
        }
    }

    /// Attack: a path climbing out of the panel's directory reads nothing else of the machine.
    @Test func pathsOutsideThePanelAreNotServed() async throws {
        try await TestHub.run { hub in
            let version = try #require(try await hub.send(.GET, "/").body.string.firstMatch(of: /\/assets\/([0-9a-f]{16})\//)?.1)
            for path in ["../../Package.swift", "..%2F..%2FPackage.swift", "core/../../../../etc/passwd", "%2e%2e/index.html"] {
                let response = try await hub.send(.GET, "/assets/\(version)/\(path)")
                #expect(response.status == .notFound, "\(path): \(response.status)")
            }
        }
    }

    /// The panel's own files keep to the policy it is served with: no inline script, no eval, no markup built
    /// from strings (where an API value could turn into script).
    @Test func thePanelsFilesHoldNoInlineScriptNorMarkupFromStrings() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Sources/BerqenasServer/Panel/web").standardizedFileURL
        let files = try #require(FileManager.default.subpaths(atPath: directory.path))
        let scripts = files.filter { $0.hasSuffix(".js") }
        #expect(scripts.count >= 20, "the panel's modules: \(scripts.count)")
        for path in files where path.hasSuffix(".js") || path.hasSuffix(".html") {
            let text = try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
            for banned in [
                "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('style'", "style=\"",
            ] {
                #expect(!text.contains(banned), "\(path) uses \(banned)")
            }
            if path.hasSuffix(".html") {
                let inline = text.matches(of: /<script(?![^>]*\ssrc=)[^>]*>/)
                #expect(inline.isEmpty, "\(path) has an inline script")
                #expect(!text.contains(" on") || text.firstMatch(of: /\son[a-z]+=/) == nil, "\(path) has an inline handler")
            }
        }
    }
}
