import BerqenasPlatform
import Vapor

/// `GET /api/v1/realtime`: the event log, live, over a WebSocket (docs/events.md).
enum RealtimeEndpoint {
    static func register(on routes: any RoutesBuilder) {
        let route = routes.webSocket("realtime", maxFrameSize: .init(integerLiteral: 16 * 1024)) { request, socket in
            socket.pingInterval = .seconds(20)
            // The session holds the server's shared parts, not the upgraded request's: the request is let go as
            // soon as the socket is open (a connection then costs its socket and session).
            RealtimeSession(socket: socket, hub: request.berqenas.realtime).start()
        }
        // Open at the HTTP level: the token comes as the first message, so it stays out of URLs and proxy logs.
        route.operation = Operation(
            id: "events.realtime", summary: "The event log, live: a WebSocket (first message auth, then subscribe; docs/events.md)",
            tag: "events", access: .open, successStatus: 101)
    }
}
