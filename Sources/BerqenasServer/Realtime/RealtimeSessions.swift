import BerqenasPlatform
import FluentKit
import Logging
import Synchronization

/// This server's open realtime sessions, so that a shutdown can tell each client to go elsewhere (close code
/// 1001) instead of leaving the HTTP server to wait for sockets that would stay open; and the platform parts
/// they share (held once here, not by each session).
final class RealtimeSessions: Sendable {
    let feed: EventFeed
    let users: ConnectedUsers
    let events: EventLog
    let tokens: TokenIssuer
    let database: any Database
    let logger: Logger
    private let open = Mutex<[ObjectIdentifier: RealtimeSession]>([:])
    /// The event messages written lately, by event and topic: a thousand subscribers of one topic get one
    /// encoding of each event, not a thousand.
    private let frames = Mutex<(texts: [String: String], order: [String])>(([:], []))
    static let framesKept = 256

    init(platform: Platform, tokens: TokenIssuer, database: any Database, logger: Logger) {
        self.feed = platform.eventFeed
        self.users = platform.connectedUsers
        self.events = platform.events
        self.tokens = tokens
        self.database = database
        self.logger = logger
    }

    func add(_ session: RealtimeSession) {
        open.withLock { $0[ObjectIdentifier(session)] = session }
    }

    func remove(_ session: RealtimeSession) {
        _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
    }

    var count: Int { open.withLock { $0.count } }

    /// The `event` message of `event` on `topic`, encoded once for every session that sends it.
    func eventText(_ event: PlatformEvent, topic: EventTopic) -> String? {
        let key = "\(event.id ?? 0) \(topic)"
        if let text = frames.withLock({ $0.texts[key] }) { return text }
        guard let response = try? EventResponse(event) else { return nil }
        let text = RealtimeMessage(type: "event", topic: topic.description, event: response).text
        frames.withLock { cache in
            guard cache.texts.updateValue(text, forKey: key) == nil else { return }
            cache.order.append(key)
            if cache.order.count > Self.framesKept { cache.texts.removeValue(forKey: cache.order.removeFirst()) }
        }
        return text
    }

    /// Asks every session to close with 1001 ("going away").
    func closeAll() {
        for session in open.withLock({ Array($0.values) }) { session.shutDown() }
    }
}
