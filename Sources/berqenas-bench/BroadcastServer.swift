import Foundation
import Synchronization
import Vapor

/// `berqenas-bench broadcast-server --port P`: the baseline for the realtime benchmark, on the same stack as
/// the hub (Vapor, WebSocketKit, SwiftNIO) without its event log, auth or scoping. Its socket answers the
/// hub's `auth` and `subscribe` messages at once; `POST /broadcast` sends every subscriber one message the
/// size of a hub event, stamped with the time the request reached it (as the hub stamps an event).
enum BroadcastServer {
    final class Subscribers: Sendable {
        let sockets = Mutex<[ObjectIdentifier: WebSocket]>([:])
    }

    static func event(at time: Date) -> String {
        let stamp = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        return
            #"{"event":{"data":{"action":"refreshed","api":"api0"},"id":1,"kind":"api.changed","message":"API 'api0' was refreshed","occurred_at":"\#(stamp)","subject":"api:api0","tenant":"bench"},"topic":"tenant:bench","type":"event"}"#
    }

    static func run(_ arguments: [String]) async throws {
        let options = Options(arguments)
        let app = try await Application.make(Environment(name: "production", arguments: ["berqenas-bench", "serve"]))
        app.logger.logLevel = .error
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = Int(options["port"]) ?? 8090
        let subscribers = Subscribers()
        app.webSocket("api", "v1", "realtime") { _, socket in
            socket.onText { socket, text in
                if text.contains(#""auth""#) {
                    socket.send(#"{"message":"admin","type":"authenticated"}"#)
                } else {
                    subscribers.sockets.withLock { $0[ObjectIdentifier(socket)] = socket }
                    socket.send(#"{"replayed":0,"topic":"tenant:bench","type":"subscribed"}"#)
                }
            }
            socket.onClose.whenComplete { _ in _ = subscribers.sockets.withLock { $0.removeValue(forKey: ObjectIdentifier(socket)) } }
        }
        app.post("broadcast") { _ -> HTTPStatus in
            let text = event(at: Date())
            for socket in subscribers.sockets.withLock({ Array($0.values) }) { socket.send(text) }
            return .ok
        }
        try await app.execute()
    }
}
