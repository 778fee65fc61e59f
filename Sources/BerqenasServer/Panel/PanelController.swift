import Vapor

/// Serves the web panel: `index.html` at `/`, and its files under `/assets/{version}/…` (see `PanelAssets`).
/// The panel speaks only to the public management API and the realtime WebSocket, like the CLI.
struct PanelController {
    let assets: PanelAssets?

    /// What every panel response says about where it may run: scripts and styles only from the hub's own
    /// files (no inline script, no eval), images also from data and blob URLs (charts, QR codes), connections
    /// only to the hub (the API and its WebSocket), never inside a frame, and no referrer leaving the hub.
    static let securityHeaders: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
    ]

    func register(on root: any RoutesBuilder) {
        root.get(use: page)
        root.get("index.html", use: page)
        root.get("assets", ":version", "**", use: asset)
    }

    @Sendable
    func page(_ request: Request) async throws -> Response {
        let assets = try available()
        // Asked again every time (a new build names new assets), answered 304 while it is the same.
        if request.headers.first(name: .ifNoneMatch) == etag(assets) {
            return respond(status: .notModified, nil, request)
        }
        let response = respond(status: .ok, assets.index, request)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        response.headers.replaceOrAdd(name: .eTag, value: etag(assets))
        return response
    }

    @Sendable
    func asset(_ request: Request) async throws -> Response {
        let assets = try available()
        let path = request.parameters.getCatchall().joined(separator: "/")
        guard request.parameters.get("version") == assets.version, let file = assets.files[path] else {
            throw Abort(.notFound, reason: "no such panel file in this version of the hub")
        }
        let response = respond(status: .ok, file, request)
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=31536000, immutable")
        return response
    }

    private func available() throws -> PanelAssets {
        guard let assets else {
            throw Abort(.serviceUnavailable, reason: "the web panel's files are missing next to the berqenas binary")
        }
        return assets
    }

    private func etag(_ assets: PanelAssets) -> String { "\"\(assets.version)\"" }

    private func respond(status: HTTPResponseStatus, _ file: PanelAssets.File?, _ request: Request) -> Response {
        let response = Response(status: status)
        for (name, value) in Self.securityHeaders { response.headers.replaceOrAdd(name: name, value: value) }
        // Only a trustworthy origin may isolate its windows: over plain HTTP a browser ignores the header and
        // logs an error, so it is sent behind HTTPS only.
        if request.reachedOverHTTPS { response.headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin") }
        guard let file else { return response }
        response.headers.replaceOrAdd(name: .contentType, value: file.contentType)
        response.headers.replaceOrAdd(name: .vary, value: "Accept-Encoding")
        if let gzipped = file.gzipped, Self.acceptsGzip(request) {
            response.headers.replaceOrAdd(name: .contentEncoding, value: "gzip")
            response.body = .init(buffer: gzipped)
        } else {
            response.body = .init(buffer: file.body)
        }
        return response
    }

    /// Whether the client named gzip (or `*`) in Accept-Encoding with a weight above zero.
    static func acceptsGzip(_ request: Request) -> Bool {
        request.headers[.acceptEncoding].flatMap { $0.split(separator: ",") }.contains { entry in
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" || parts.first == "*" else { return false }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return weight > 0
        }
    }
}
