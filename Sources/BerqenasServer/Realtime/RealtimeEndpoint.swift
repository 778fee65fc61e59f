import BerqenasPlatform
import Vapor

/// `GET /api/v1/realtime`: the event log, live, over a WebSocket (docs/events.md).
enum RealtimeEndpoint {
    static func register(on routes: any RoutesBuilder) {
        let route = routes.webSocket("realtime", maxFrameSize: .init(integerLiteral: 16 * 1024)) { request, socket in
            socket.pingInterval = .seconds(20)
            // The session holds the application's parts, not the upgraded request's, and runs on its own: the
            // request is let go as soon as the socket is open (a connection then costs its socket and session).
            let session = RealtimeSession(
                socket: socket, sessions: request.berqenas.realtime, platform: request.berqenas.platform, tokens: request.berqenas.tokens,
                database: request.application.db,
                logger: request.application.logger)
            Task { await session.run() }
        }
        // Open at the HTTP level: the token comes as the first message, so it stays out of URLs and proxy logs.
        route.operation = Operation(
            id: "events.realtime", summary: "The event log, live: a WebSocket (first message auth, then subscribe; docs/events.md)",
            tag: "events", access: .open, successStatus: 101)
    }
}
