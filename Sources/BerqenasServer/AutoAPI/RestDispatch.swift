import Vapor

/// Sends `/rest/v1/{tenant}/{api}[/{table}]` straight to the generated APIs, ahead of Vapor's router, which
/// percent-decodes and splits every path and walks its trie (a twentieth of a generated API's CPU per request);
/// anything else, and any path this does not recognise, goes on to the router as before. The same
/// application middleware wraps both ways; neither way collects a body before the handler has admitted the caller.
struct RestDispatch: Responder {
    private struct Target {
        let method: HTTPMethod
        let depth: Int
        let responder: any Responder
    }

    private let targets: [Target]
    private let router: any Responder
    /// Whether requests are counted for `/metrics` (off: nothing is timed or counted on this hot path).
    private let measured: Bool

    init(endpoints: [RestController.Endpoint], app: Application, router: any Responder) {
        let middleware = app.middleware.resolve()
        self.targets = endpoints.map { endpoint in
            Target(
                method: endpoint.method, depth: endpoint.parameters.count,
                responder: middleware.makeResponder(chainingTo: AsyncBasicResponder(closure: endpoint.handler)))
        }
        self.router = router
        self.measured = app.berqenas.platform.configuration.operations.metricsEnabled
    }

    func respond(to request: Request) -> EventLoopFuture<Response> {
        guard let values = Self.parameters(of: request.url.path),
            let target = target(request.method, values.count)
                ?? (request.method == .HEAD ? target(.GET, values.count) : nil)
        else {
            return router.respond(to: request)
        }
        request.restPath = RestPath(values)
        // Bodies are not read here: a write's handler collects its body only once the caller is admitted.
        guard measured else { return target.responder.respond(to: request) }
        let started = ContinuousClock.now
        let response = target.responder.respond(to: request)
        response.whenComplete { result in
            HubMetrics.countAPIRequest(request.servedAPI, status: (try? result.get().status.code) ?? 500, took: .now - started)
        }
        return response
    }

    /// The endpoint for `method` with `count` path parameters (a HEAD without one of its own is answered as the
    /// GET of the same path is, as the router does).
    private func target(_ method: HTTPMethod, _ count: Int) -> Target? {
        targets.first { $0.method == method && $0.depth == count }
    }

    /// The path's components after `/rest/v1/`, percent-decoded (nil for any other path, or a malformed one).
    static func parameters(of path: String) -> [String]? {
        guard path.utf8.starts(with: "/rest/v1/".utf8) else { return nil }
        var values: [String] = []
        for component in path.utf8.dropFirst(9).split(separator: UInt8(ascii: "/")).map(Substring.init) {
            guard component.utf8.contains(UInt8(ascii: "%")) else {
                values.append(String(component))
                continue
            }
            guard let decoded = component.removingPercentEncoding else { return nil }
            values.append(decoded)
        }
        return values
    }
}

/// The names a `/rest/v1/{tenant}/{api}[/{table}]` path carries: set by `RestDispatch` (Vapor's route
/// parameters would percent-decode each again, through Foundation), read from the route otherwise.
struct RestPath: Sendable {
    var tenant: String
    var api: String
    var table: String
    /// `/rpc/{function}`: the function's name (the table is then `rpc`).
    var function: String

    init(_ values: [String]) {
        tenant = values.first ?? ""
        api = values.dropFirst().first ?? ""
        table = values.dropFirst(2).first ?? ""
        function = values.dropFirst(3).first ?? ""
    }

    fileprivate struct Key: StorageKey { typealias Value = RestPath }
}

extension Request {
    var restPath: RestPath {
        get {
            storage[RestPath.Key.self] ?? RestPath(["tenant", "api", "table", "function"].map { parameters.get($0) ?? "" })
        }
        set { storage[RestPath.Key.self] = newValue }
    }
}
