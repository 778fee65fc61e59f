import BerqenasPlatform
import Crypto
import Foundation
import ServiceLifecycle
import Vapor

/// `GET /metrics`, off unless enabled: on the main listener for callers bearing `BERQENAS_METRICS_TOKEN`, and
/// on a listener of its own at `BERQENAS_METRICS_ADDRESS` (which asks for the token too when one is set).
enum MetricsEndpoint {
    static func register(on routes: any RoutesBuilder) {
        routes.on(
            .GET, "metrics",
            operation: Operation(
                id: "system.metrics",
                summary:
                    "Prometheus metrics (text format), with Authorization: Bearer <BERQENAS_METRICS_TOKEN>; 404 while no token is set",
                tag: "system", access: .open, responseBody: .string, responseIsPlainText: true, failureStatuses: [401, 404]
            ),
            use: { request in
                try await answer(request, token: request.berqenas.platform.configuration.operations.metricsToken, state: request.berqenas)
            })
    }

    /// The metrics for a caller bearing `token`; with no token, the main listener has no metrics (404).
    static func answer(_ request: Request, token: String?, tokenRequired: Bool = true, state: BerqenasState) async throws -> Response {
        if let token {
            guard let given = request.headers.bearerAuthorization?.token, constantTimeEqual(given, token) else {
                throw PlatformError(code: "unauthorized", status: 401, message: "send Authorization: Bearer <BERQENAS_METRICS_TOKEN>")
            }
        } else if tokenRequired {
            throw PlatformError(code: "not_found", status: 404, message: "metrics are off on this listener: set BERQENAS_METRICS_TOKEN")
        }
        let text = await HubMetrics.text(for: state)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        headers.cacheControl = .init(noStore: true)
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    private static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        // Digests first: equal lengths, so the comparison's time tells nothing about the token.
        let (a, b) = (SHA256.hash(data: Data(left.utf8)), SHA256.hash(data: Data(right.utf8)))
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The listener at `BERQENAS_METRICS_ADDRESS`: it answers `GET /metrics` and nothing else, and closes first
/// and last with the HTTP server.
struct MetricsListenerService: Service, CustomStringConvertible {
    let app: Application
    let host: String
    let port: Int

    var description: String { "metrics-listener" }

    private struct Answer: AsyncResponder {
        let token: String?
        let state: BerqenasState

        func respond(to request: Request) async throws -> Response {
            do {
                guard request.method == .GET, request.url.path == "/metrics" else {
                    throw PlatformError.notFound("route", request.url.path)
                }
                return try await MetricsEndpoint.answer(request, token: token, tokenRequired: false, state: state)
            } catch let error as PlatformError {
                // The hub's error shape, as the main listener answers.
                let body = try JSONEncoder().encode(["error": ["code": error.code, "message": error.message]])
                var headers = HTTPHeaders()
                headers.contentType = .json
                return Response(status: HTTPResponseStatus(statusCode: error.status), headers: headers, body: .init(data: body))
            }
        }
    }

    func run() async throws {
        // An application of its own: an HTTPServer made on the hub's application would write its address into
        // the hub's HTTP configuration when it starts.
        let listener = try await Application.make(app.environment, .shared(app.eventLoopGroup))
        listener.logger = app.logger
        listener.http.server.configuration.hostname = host
        listener.http.server.configuration.port = port
        listener.http.server.configuration.reportMetrics = false
        let answer = Answer(token: app.berqenas.platform.configuration.operations.metricsToken, state: app.berqenas)
        listener.responder.use { _ in answer }
        do {
            try await listener.server.start(address: nil)
            try? await gracefulShutdown()
            await listener.server.shutdown()
        } catch {
            try? await listener.asyncShutdown()
            throw error
        }
        try await listener.asyncShutdown()
    }
}
