import BerqenasPlatform
import DatabaseConnectors
import FluentKit
import Foundation
import NIOCore
import Synchronization
import Vapor

/// One realtime connection. Everything it does happens in one loop over its inputs (client messages, the
/// feed's events, timers), so a subscription's replay and the live events after it never interleave: a
/// replay covers the log up to the last event the loop took from the feed, and later ones follow it.
final class RealtimeSession: Sendable {
    enum Input: Sendable {
        /// A client message, decoded where it arrived (nil: not a request).
        case request(RealtimeRequest?)
        case event(PlatformEvent, JSONValue)
        /// The user as they are now (nil: disabled or deleted), from `ConnectedUsers`.
        case user(Caller?)
        /// The auth message is overdue.
        case authDeadline
        /// The server is shutting down.
        case shutdown
    }

    struct State {
        var caller: Caller?
        var feedToken: UUID?
        var usersToken: UUID?
        /// The number of the last feed event the loop took.
        var lastSeen = 0
        /// Each topic with the tenant it belongs to (nil: the platform).
        var topics: [EventTopic: UUID?] = [:]
        var open = true
        var authTimer: Scheduled<Void>?
    }

    /// Messages handed to the socket and not yet written out; past this the client is too slow.
    static let maxUnwritten = 512
    /// Inputs (client messages, feed events) waiting for the loop; past this the connection is closed as too
    /// slow rather than grow (a flood of client messages, or events while a replay reads the log).
    static let maxWaitingInputs = 65_536
    static let authWithin: Duration = .seconds(10)

    let socket: WebSocket
    let sessions: RealtimeSessions
    // The parts of the platform a session uses (not the whole `Platform`, a large value each session would copy).
    let feed: EventFeed
    let users: ConnectedUsers
    let events: EventLog
    let tokens: TokenIssuer
    let database: any Database
    let logger: Logger
    private let inputs: AsyncStream<Input>
    private let input: AsyncStream<Input>.Continuation
    private let unwritten = Atomic<Int>(0)
    /// Set when an input was dropped because too many waited: nothing may be missed silently.
    private let overflowed = Atomic<Bool>(false)

    init(socket: WebSocket, sessions: RealtimeSessions, platform: Platform, tokens: TokenIssuer, database: any Database, logger: Logger) {
        self.socket = socket
        self.sessions = sessions
        self.feed = platform.eventFeed
        self.users = platform.connectedUsers
        self.events = platform.events
        self.tokens = tokens
        self.database = database
        self.logger = logger
        (inputs, input) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingOldest(Self.maxWaitingInputs))
    }

    /// Queues an input for the loop; one that does not fit marks the session as overflowed.
    private func offer(_ item: Input) {
        if case .dropped = input.yield(item) { overflowed.store(true, ordering: .relaxed) }
    }

    /// Closes the session with 1001 (its loop sends the close frame).
    func shutDown() {
        offer(.shutdown)
    }

    func run() async {
        sessions.add(self)
        defer { sessions.remove(self) }
        // WebSocketKit's callbacks are set on the connection's own event loop.
        try? await socket.eventLoop.submit { [self] in
            // Decoded on the event loop: JSON decoding's deep calls stay off the session task's stack, which
            // keeps the size it grew to for as long as the connection lasts.
            socket.onText { [self] _, text in offer(.request(try? JSONDecoder().decode(RealtimeRequest.self, from: Data(text.utf8)))) }
            socket.onClose.whenComplete { [input] _ in input.finish() }
        }.get()
        var state = State()
        // A timer on the connection's event loop (lighter than a task per connection), cancelled at sign-in.
        state.authTimer = socket.eventLoop.scheduleTask(in: .seconds(Int64(Self.authWithin.components.seconds))) { [input] in
            input.yield(.authDeadline)
        }
        for await item in inputs {
            if overflowed.load(ordering: .relaxed) {
                close(RealtimeClose.tooSlow, "too slow: more than \(Self.maxWaitingInputs) messages waited", &state)
            } else {
                await handle(item, &state)
            }
            if !state.open { break }
        }
        state.authTimer?.cancel()
        if let token = state.feedToken { feed.remove(token) }
        if let token = state.usersToken { users.remove(token) }
        input.finish()
        // Closed by the client, or by `close` (which sent the close frame): nothing more to send either way.
    }

    private func handle(_ item: Input, _ state: inout State) async {
        switch item {
        case let .request(request): await received(request, &state)
        case let .event(event, data): deliver(event, data, &state)
        case let .user(current): recheck(current, &state)
        case .authDeadline:
            if state.caller == nil { close(RealtimeClose.unauthorized, "no auth message within \(Self.authWithin)", &state) }
        case .shutdown: close(RealtimeClose.goingAway, "the hub is shutting down; connect again", &state)
        }
    }

    private func received(_ request: RealtimeRequest?, _ state: inout State) async {
        guard let request else {
            if state.caller == nil {
                close(RealtimeClose.unauthorized, #"send {"action":"auth","token":…} first"#, &state)
            } else {
                send(.error("bad_request", #"messages are {"action":"subscribe"|"unsubscribe","topic":…} objects"#), &state)
            }
            return
        }
        switch (request.action, state.caller) {
        case (.auth, nil): await authenticate(request.token ?? "", &state)
        case (.auth, _?): send(.error("already_authenticated", "this connection is signed in already"), &state)
        case (_, nil): close(RealtimeClose.unauthorized, #"send {"action":"auth","token":…} first"#, &state)
        case let (.subscribe, caller?): await subscribe(request, caller, &state)
        case (.unsubscribe, _?):
            guard let topic = request.topic.flatMap(EventTopic.init), state.topics.removeValue(forKey: topic) != nil else {
                send(.error("not_subscribed", "not subscribed to '\(request.topic ?? "")'", topic: request.topic), &state)
                return
            }
            send(RealtimeMessage(type: "unsubscribed", topic: topic.description), &state)
        }
    }

    private func authenticate(_ token: String, _ state: inout State) async {
        // Database work runs in a task of its own: its deep call chain would otherwise grow this long-lived
        // task's stack, which keeps what it grew to for the life of the connection.
        let (tokens, database) = (self.tokens, self.database)
        let signedIn = await Task { try? await SignedInUser.load(token: token, tokens: tokens, on: database) }.value
        guard let (_, caller) = signedIn else {
            close(RealtimeClose.unauthorized, "the token is not valid, has expired, or its user is disabled", &state)
            return
        }
        state.caller = caller
        state.authTimer?.cancel()
        state.authTimer = nil
        let (feedToken, upTo) = feed.add { [self] event, data in offer(.event(event, data)) }
        state.feedToken = feedToken
        state.lastSeen = upTo
        state.usersToken = users.add(userID: caller.userID) { [self] current in
            offer(.user(current))
        }
        send(RealtimeMessage(type: "authenticated", message: caller.username), &state)
    }

    private func subscribe(_ request: RealtimeRequest, _ caller: Caller, _ state: inout State) async {
        let name = request.topic ?? ""
        guard let topic = EventTopic(name) else {
            send(
                .error(
                    "bad_topic",
                    "'\(name.prefix(100))' is not a topic: tenant:{t}, tenant:{t}/sync, tenant:{t}/vpn, job:{id}, "
                        + "remote_database:{id} or platform", topic: String(name.prefix(100))), &state)
            return
        }
        if let since = request.since, since < 0 {
            send(.error("bad_since", "since is an event number (0 or more)", topic: name), &state)
            return
        }
        let scope: UUID?
        do {
            let database = self.database
            scope = try await Task { try await RealtimeAccess.tenant(of: topic, for: caller, on: database) }.value
        } catch let error as PlatformError {
            send(.error(error.code, error.message, topic: topic.description), &state)
            return
        } catch {
            send(.error("internal", "the topic could not be checked", topic: topic.description), &state)
            return
        }
        var replayed = 0
        if let since = request.since, state.topics[topic] == nil {
            do {
                replayed = try await replay(topic, tenantID: scope, after: since, upTo: state.lastSeen, &state)
            } catch {
                send(.error("replay_failed", "the log could not be read; subscribe again", topic: topic.description), &state)
                return
            }
        }
        state.topics[topic] = scope
        send(RealtimeMessage(type: "subscribed", topic: topic.description, replayed: replayed), &state)
    }

    /// Sends the logged events of `topic` after `after` and up to `upTo`, oldest first; returns how many.
    private func replay(_ topic: EventTopic, tenantID: UUID?, after: Int, upTo: Int, _ state: inout State) async throws -> Int {
        var sent = 0
        var cursor = after
        while state.open {
            let page = try await events.events(ofTenant: tenantID, after: cursor, upTo: upTo, limit: 500)
            for event in page {
                let data = (try? JSONValue.parse(event.dataJSON)) ?? .object([])
                if topic.matches(event, data: data), let text = sessions.eventText(event, topic: topic) {
                    send(text: text, &state)
                    sent += 1
                }
            }
            guard page.count == 500, let last = page.last?.id else { break }
            cursor = last
        }
        return sent
    }

    private func deliver(_ event: PlatformEvent, _ data: JSONValue, _ state: inout State) {
        state.lastSeen = max(state.lastSeen, event.id ?? 0)
        // The tenant checked at subscribe time must be the event's too (the platform's: no tenant).
        for (topic, scope) in state.topics where event.tenantID == scope && topic.matches(event, data: data) {
            guard state.open, let text = sessions.eventText(event, topic: topic) else { continue }
            send(text: text, &state)
        }
    }

    /// The user as they are now: a disabled or deleted user is signed out, and topics the user may no longer
    /// see are dropped with a message saying why.
    private func recheck(_ current: Caller?, _ state: inout State) {
        guard state.caller != nil else { return }
        guard let current else {
            close(RealtimeClose.unauthorized, "your account was disabled or deleted", &state)
            return
        }
        state.caller = current
        for (topic, tenantID) in state.topics where !RealtimeAccess.mayRead(topic, tenantID: tenantID, current) {
            state.topics.removeValue(forKey: topic)
            send(
                RealtimeMessage(type: "unsubscribed", topic: topic.description, code: "forbidden", message: "your role no longer reads this topic"),
                &state)
        }
    }

    /// Sends a message encoded on the event loop (for the same reason requests are decoded there); it is
    /// written after everything sent before it.
    private func send(_ message: RealtimeMessage, _ state: inout State) {
        guard reserve(&state) else { return }
        socket.eventLoop.execute { [self] in write(message.text) }
    }

    /// Hands a message to the socket; a client with too many messages not yet written out is closed.
    private func send(text: String, _ state: inout State) {
        guard reserve(&state) else { return }
        write(text)
    }

    /// Counts a message about to be handed to the socket; false (and the client closed) when too many wait.
    private func reserve(_ state: inout State) -> Bool {
        guard state.open else { return false }
        guard unwritten.load(ordering: .relaxed) < Self.maxUnwritten else {
            close(RealtimeClose.tooSlow, "too slow: more than \(Self.maxUnwritten) messages waited to be written", &state)
            return false
        }
        unwritten.add(1, ordering: .relaxed)
        return true
    }

    private func write(_ text: String) {
        let promise = socket.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [self] _ in unwritten.subtract(1, ordering: .relaxed) }
        socket.send(text, promise: promise)
    }

    /// Closes with `code` and `reason` in the close frame.
    private func close(_ code: UInt16, _ reason: String, _ state: inout State) {
        guard state.open else { return }
        state.open = false
        logger.debug("realtime connection closed: \(code) \(reason)")
        // WebSocketKit's own close sends no reason; the frame is written here (its reply to the client's
        // answering close then ends the connection).
        var frame = ByteBufferAllocator().buffer(capacity: 2 + reason.utf8.count)
        frame.writeInteger(code)
        frame.writeString(String(reason.prefix(100)))
        socket.send(raw: frame.readableBytesView, opcode: .connectionClose, fin: true, promise: nil)
    }
}
