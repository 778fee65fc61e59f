import BerqenasPlatform
import Foundation
import Vapor

/// What a realtime client sends: `{"action":"auth","token":…}`, then `subscribe` / `unsubscribe` with a
/// `topic` (and, to replay what it missed, `since`: the last event number it saw).
struct RealtimeRequest: Decodable, Sendable {
    enum Action: String, Decodable, Sendable {
        case auth, subscribe, unsubscribe
    }

    let action: Action
    let token: String?
    let topic: String?
    let since: Int?
}

/// What the hub sends: `authenticated`, `subscribed`, `unsubscribed`, `error`, and `event` messages.
struct RealtimeMessage: Encodable, Sendable {
    let type: String
    var topic: String?
    var code: String?
    var message: String?
    /// `subscribed`: how many logged events were replayed before the live ones.
    var replayed: Int?
    var event: EventResponse?

    static func error(_ code: String, _ message: String, topic: String? = nil) -> RealtimeMessage {
        RealtimeMessage(type: "error", topic: topic, code: code, message: message)
    }

    /// The message as JSON text (dates ISO 8601, as the REST API writes them).
    var text: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? #"{"type":"error","code":"internal"}"#
    }
}

/// Close codes of the realtime socket.
enum RealtimeClose {
    /// The hub is shutting down: connect again (to it or another server).
    static let goingAway: UInt16 = 1001
    /// No valid token (or the user was disabled or deleted since).
    static let unauthorized: UInt16 = 4401
    /// Too slow to read what it subscribed to.
    static let tooSlow: UInt16 = 4408
}
