import BerqenasPlatform
import DatabaseConnectors
import FluentKit
import Foundation
import NIOCore
import Synchronization
import Vapor

/// One realtime connection. It lives on its socket's event loop: client messages, the feed's events, user
/// re-reads and timers are handled there one at a time, in arrival order. What waits on the database (sign-in,
/// a topic's check and its replay) runs in a short task, and inputs arriving meanwhile are held and handled
/// after it, so a replay and the live events after it never interleave: a replay covers the log up to the last
/// event the session took from the feed, and later ones follow it. No task lives as long as the connection: an
/// idle one costs its socket, this object and its two registrations.
final class RealtimeSession: Sendable {
    enum Input: Sendable {
        /// A client message, decoded where it arrived (nil: not a request).
        case request(RealtimeRequest?)
        case event(PlatformEvent, JSONValue)
        /// The user as they are now (nil: disabled or deleted), from `ConnectedUsers`.
        case user(Caller?)
        /// The auth message is overdue.
        case authDeadline
    }

    struct State {
        var caller: Caller?
        var feedToken: UUID?
        var usersToken: UUID?
        /// The number of the last feed event the session took.
        var lastSeen = 0
        /// Each topic with the tenant it belongs to (nil: the platform).
        var topics: [EventTopic: UUID?] = [:]
        var open = true
        var authTimer: Scheduled<Void>?
        /// Set while a sign-in or a subscription waits on the database; inputs wait in `held` meanwhile.
        var busy = false
        var held: [Input] = []
        /// The client messages among `held` (a client may not pile up its own messages behind a slow replay).
        var heldRequests = 0
        /// The topic a running subscription checks and replays: live events of it are held (whatever their
        /// tenant, which is not known yet), others of no topic of the session are dropped instead of waiting.
        var subscribing: EventTopic?
        /// The last message handed to the socket (its completion means everything before it is written too).
        var lastWrite: EventLoopFuture<Void>?
    }

    /// Messages handed to the socket and not yet written out; past this the client is too slow.
    static let maxUnwritten = 512
    /// Inputs waiting for the session (events arriving while a replay reads the log, or while the event loop is
    /// busy); past this the connection is closed as too slow rather than grow.
    static let maxWaitingInputs = 65_536
    /// Client messages that may wait behind a database step (each up to a frame of 16 KiB).
    static let maxHeldRequests = 32
    static let authWithin: TimeAmount = .seconds(10)
    /// Logged events sent per page of a replay; each page waits until the one before it is written out.
    static let replayPage = 500
    /// How long a replay waits for the client to read a page before closing it as too slow.
    static let replayPageWrittenWithin: TimeAmount = .seconds(30)

    let socket: WebSocket
    /// This server's sessions and the platform parts they share.
    let hub: RealtimeSessions
    private let state: NIOLoopBoundBox<State>
    private let unwritten = Atomic<Int>(0)
    /// Inputs handed to the event loop from other threads and not yet taken.
    private let arriving = Atomic<Int>(0)

    /// Must be called on the socket's event loop (Vapor calls the upgrade handler there).
    init(socket: WebSocket, hub: RealtimeSessions) {
        self.socket = socket
        self.hub = hub
        self.state = NIOLoopBoundBox(State(), eventLoop: socket.eventLoop)
    }

    /// Starts taking the client's messages; on the socket's event loop.
    func start() {
        hub.add(self)
        // Decoded on the event loop where they arrive.
        socket.onText { [self] _, text in take(.request(try? JSONDecoder().decode(RealtimeRequest.self, from: Data(text.utf8)))) }
        socket.onClose.whenComplete { [self] _ in
            end()
            // The socket's callback holds the session: let it go, or the two keep each other.
            socket.onText { _, _ in }
        }
        state.value.authTimer = socket.eventLoop.scheduleTask(in: Self.authWithin) { [self] in take(.authDeadline) }
    }

    /// Closes the session with 1001 (the hub is shutting down), even in the middle of a database step.
    func shutDown() {
        socket.eventLoop.execute { [self] in close(RealtimeClose.goingAway, "the hub is shutting down; connect again") }
    }

    /// Hands an input from another thread to the event loop; past `maxWaitingInputs` the session closes.
    private func arrive(_ input: Input) {
        guard arriving.add(1, ordering: .relaxed).newValue <= Self.maxWaitingInputs else {
            arriving.subtract(1, ordering: .relaxed)
            socket.eventLoop.execute { [self] in tooManyWaiting() }
            return
        }
        socket.eventLoop.execute { [self] in
            arriving.subtract(1, ordering: .relaxed)
            take(input)
        }
    }

    /// Takes an input on the event loop: handled now, or held while a database step runs. A user re-read is
    /// handled at once (a disabled user's replay stops). An event that no topic of the session (nor the one being
    /// subscribed) wants is dropped, unless a held client message may subscribe to it: a later subscription's
    /// replay covers it then (it counts as seen), and none is delivered twice.
    private func take(_ input: Input) {
        guard state.value.open else { return }
        guard state.value.busy else { return handle(input) }
        switch input {
        case .user: return handle(input)
        case .authDeadline: break  // a sign-in under way decides it
        case let .event(event, data):
            if state.value.heldRequests == 0, !wanted(event, data) {
                state.value.lastSeen = max(state.value.lastSeen, event.id ?? 0)
                return
            }
        case .request:
            guard state.value.heldRequests < Self.maxHeldRequests else {
                return close(RealtimeClose.tooSlow, "too many messages sent while a subscription was being replayed")
            }
            state.value.heldRequests += 1
        }
        guard state.value.held.count < Self.maxWaitingInputs else { return tooManyWaiting() }
        state.value.held.append(input)
    }

    /// Whether a topic of the session (or the one being subscribed) wants `event`.
    private func wanted(_ event: PlatformEvent, _ data: JSONValue) -> Bool {
        if let topic = state.value.subscribing, topic.matches(event, data: data) { return true }
        return state.value.topics.contains { topic, scope in event.tenantID == scope && topic.matches(event, data: data) }
    }

    /// A database step is done: the inputs held meanwhile are handled in order, until one starts another.
    private func resume() {
        state.value.busy = false
        state.value.subscribing = nil
        state.value.heldRequests = 0
        var waiting = state.value.held[...]
        state.value.held = []
        while state.value.open, let next = waiting.popFirst() {
            handle(next)
            if state.value.busy {
                state.value.held = Array(waiting)
                state.value.heldRequests = waiting.reduce(0) { count, input in
                    if case .request = input { count + 1 } else { count }
                }
                return
            }
        }
    }

    private func tooManyWaiting() {
        close(RealtimeClose.tooSlow, "too slow: more than \(Self.maxWaitingInputs) messages waited")
    }

    private func handle(_ input: Input) {
        switch input {
        case let .request(request): received(request)
        case let .event(event, data): deliver(event, data)
        case let .user(current): recheck(current)
        case .authDeadline:
            if state.value.caller == nil { close(RealtimeClose.unauthorized, "no auth message within \(Self.authWithin.seconds) s") }
        }
    }

    private func received(_ request: RealtimeRequest?) {
        guard let request else {
            if state.value.caller == nil {
                close(RealtimeClose.unauthorized, #"send {"action":"auth","token":…} first"#)
            } else {
                send(.error("bad_request", #"messages are {"action":"subscribe"|"unsubscribe","topic":…} objects"#))
            }
            return
        }
        switch (request.action, state.value.caller) {
        case (.auth, nil): authenticate(request.token ?? "")
        case (.auth, _?): send(.error("already_authenticated", "this connection is signed in already"))
        case (_, nil): close(RealtimeClose.unauthorized, #"send {"action":"auth","token":…} first"#)
        case let (.subscribe, caller?): subscribe(request, caller)
        case (.unsubscribe, _?):
            guard let topic = request.topic.flatMap(EventTopic.init), state.value.topics.removeValue(forKey: topic) != nil else {
                send(.error("not_subscribed", "not subscribed to '\(request.topic ?? "")'", topic: request.topic))
                return
            }
            send(RealtimeMessage(type: "unsubscribed", topic: topic.description))
        }
    }

    /// Runs `work` off the event loop, holding inputs until `then` has handled its outcome on the loop.
    private func step<Outcome: Sendable>(_ work: @escaping @Sendable () async -> Outcome, then: @escaping @Sendable (Outcome) -> Void) {
        state.value.busy = true
        let promise = socket.eventLoop.makePromise(of: Outcome.self)
        promise.completeWithTask { await work() }
        promise.futureResult.whenSuccess { [self] outcome in
            guard state.value.open else { return }
            then(outcome)
            resume()
        }
    }

    private func authenticate(_ token: String) {
        let (tokens, database) = (hub.tokens, hub.database)
        step({ try? await SignedInUser.load(token: token, tokens: tokens, on: database).1 }) { [self] caller in
            guard let caller else {
                return close(RealtimeClose.unauthorized, "the token is not valid, has expired, or its user is disabled")
            }
            state.value.caller = caller
            state.value.authTimer?.cancel()
            state.value.authTimer = nil
            let (feedToken, upTo) = hub.feed.add { [self] event, data in arrive(.event(event, data)) }
            state.value.feedToken = feedToken
            state.value.lastSeen = upTo
            state.value.usersToken = hub.users.add(userID: caller.userID) { [self] current in arrive(.user(current)) }
            send(RealtimeMessage(type: "authenticated", message: caller.username))
        }
    }

    private enum Subscription: Sendable {
        case subscribed(scope: UUID?, replayed: Int)
        case refused(RealtimeMessage)
        /// The replay stopped: the session closed, or its user may no longer read the topic.
        case stopped
    }

    private func subscribe(_ request: RealtimeRequest, _ caller: Caller) {
        let name = request.topic ?? ""
        guard let topic = EventTopic(name) else {
            send(
                .error(
                    "bad_topic",
                    "'\(name.prefix(100))' is not a topic: tenant:{t}, tenant:{t}/sync, tenant:{t}/vpn, job:{id}, "
                        + "remote_database:{id} or platform", topic: String(name.prefix(100))))
            return
        }
        if let since = request.since, since < 0 {
            send(.error("bad_since", "since is an event number (0 or more)", topic: name))
            return
        }
        // A topic already followed is not replayed again.
        let since = state.value.topics[topic] == nil ? request.since : nil
        let upTo = state.value.lastSeen
        state.value.subscribing = topic
        step({ [self] () -> Subscription in
            let scope: UUID?
            do {
                scope = try await RealtimeAccess.tenant(of: topic, for: caller, on: hub.database)
            } catch let error as PlatformError {
                return .refused(.error(error.code, error.message, topic: topic.description))
            } catch {
                return .refused(.error("internal", "the topic could not be checked", topic: topic.description))
            }
            guard let since else { return .subscribed(scope: scope, replayed: 0) }
            do {
                guard let replayed = try await replay(topic, tenantID: scope, after: since, upTo: upTo) else { return .stopped }
                return .subscribed(scope: scope, replayed: replayed)
            } catch {
                return .refused(.error("replay_failed", "the log could not be read; subscribe again", topic: topic.description))
            }
        }) { [self] outcome in
            switch outcome {
            case let .subscribed(scope, replayed) where mayStillRead(topic, scope):
                state.value.topics[topic] = scope
                send(RealtimeMessage(type: "subscribed", topic: topic.description, replayed: replayed))
            case .subscribed, .stopped:
                // The user was demoted or moved meanwhile (a closed session sends nothing).
                send(.error("forbidden", "your role no longer reads this topic", topic: topic.description))
            case let .refused(message): send(message)
            }
        }
    }

    /// Whether the session's user, as last read, may still read `topic` of `scope`.
    private func mayStillRead(_ topic: EventTopic, _ scope: UUID?) -> Bool {
        state.value.caller.map { RealtimeAccess.mayRead(topic, tenantID: scope, $0) } ?? false
    }

    /// Sends the logged events of `topic` after `after` and up to `upTo`, oldest first, a page at a time at the
    /// client's pace; returns how many, or nil when the session closed meanwhile.
    private func replay(_ topic: EventTopic, tenantID: UUID?, after: Int, upTo: Int) async throws -> Int? {
        var sent = 0
        var cursor = after
        while true {
            let page = try await hub.events.events(ofTenant: tenantID, after: cursor, upTo: upTo, limit: Self.replayPage)
            let texts = page.compactMap { event -> String? in
                let data = (try? JSONValue.parse(event.dataJSON)) ?? .object([])
                return topic.matches(event, data: data) ? hub.eventText(event, topic: topic) : nil
            }
            guard try await socket.eventLoop.flatSubmit({ [self] in sendPage(texts, topic, tenantID) }).get() else { return nil }
            sent += texts.count
            guard page.count == Self.replayPage, let last = page.last?.id else { break }
            cursor = last
        }
        // The last page is written out too before the live events held meanwhile follow it.
        guard try await socket.eventLoop.flatSubmit({ [self] in sendPage([], topic, tenantID) }).get() else { return nil }
        return sent
    }

    /// On the loop: once everything handed to the socket before is written out, sends `texts` of `topic`; false
    /// when the session closed (or the client did not read within `replayPageWrittenWithin`), or its user may
    /// no longer read the topic.
    private func sendPage(_ texts: [String], _ topic: EventTopic, _ scope: UUID?) -> EventLoopFuture<Bool> {
        let loop = socket.eventLoop
        let previous = state.value.lastWrite ?? loop.makeSucceededVoidFuture()
        let written = loop.makePromise(of: Bool.self)
        let settled = NIOLoopBoundBox(false, eventLoop: loop)
        let timer = loop.scheduleTask(in: Self.replayPageWrittenWithin) {
            guard !settled.value else { return }
            settled.value = true
            written.succeed(false)
        }
        previous.whenComplete { _ in
            guard !settled.value else { return }
            settled.value = true
            timer.cancel()
            written.succeed(true)
        }
        return written.futureResult.map { [self] inTime in
            guard inTime else {
                close(RealtimeClose.tooSlow, "too slow: a replay page waited \(Self.replayPageWrittenWithin.seconds) s to be read")
                return false
            }
            guard mayStillRead(topic, scope) else { return false }
            for text in texts { send(text: text) }
            return state.value.open
        }
    }

    private func deliver(_ event: PlatformEvent, _ data: JSONValue) {
        state.value.lastSeen = max(state.value.lastSeen, event.id ?? 0)
        // The tenant checked at subscribe time must be the event's too (the platform's: no tenant).
        for (topic, scope) in state.value.topics where event.tenantID == scope && topic.matches(event, data: data) {
            guard state.value.open, let text = hub.eventText(event, topic: topic) else { continue }
            send(text: text)
        }
    }

    /// The user as they are now: a disabled or deleted user is signed out, and topics the user may no longer
    /// see are dropped with a message saying why.
    private func recheck(_ current: Caller?) {
        guard state.value.caller != nil else { return }
        guard let current else { return close(RealtimeClose.unauthorized, "your account was disabled or deleted") }
        state.value.caller = current
        for (topic, tenantID) in state.value.topics where !RealtimeAccess.mayRead(topic, tenantID: tenantID, current) {
            state.value.topics.removeValue(forKey: topic)
            send(RealtimeMessage(type: "unsubscribed", topic: topic.description, code: "forbidden", message: "your role no longer reads this topic"))
        }
    }

    private func send(_ message: RealtimeMessage) {
        send(text: message.text)
    }

    /// Hands a message to the socket; a client with too many messages not yet written out is closed.
    private func send(text: String) {
        guard state.value.open else { return }
        guard unwritten.load(ordering: .relaxed) < Self.maxUnwritten else {
            return close(RealtimeClose.tooSlow, "too slow: more than \(Self.maxUnwritten) messages waited to be written")
        }
        unwritten.add(1, ordering: .relaxed)
        let promise = socket.eventLoop.makePromise(of: Void.self)
        let written = promise.futureResult
        state.value.lastWrite = written
        written.whenComplete { [self] _ in
            unwritten.subtract(1, ordering: .relaxed)
            // An idle session keeps no finished write.
            if state.value.lastWrite == written { state.value.lastWrite = nil }
        }
        socket.send(text, promise: promise)
    }

    /// Closes with `code` and `reason` in the close frame.
    private func close(_ code: UInt16, _ reason: String) {
        guard state.value.open else { return }
        end()
        hub.logger.debug("realtime connection closed: \(code) \(reason)")
        // WebSocketKit's own close sends no reason; the frame is written here (its reply to the client's
        // answering close then ends the connection).
        var frame = ByteBufferAllocator().buffer(capacity: 2 + reason.utf8.count)
        frame.writeInteger(code)
        frame.writeString(String(reason.prefix(100)))
        socket.send(raw: frame.readableBytesView, opcode: .connectionClose, fin: true, promise: nil)
    }

    /// Stops taking inputs and leaves the feed, the users' re-reads and the server's list of sessions.
    private func end() {
        guard state.value.open else { return }
        state.value.open = false
        state.value.held = []
        state.value.authTimer?.cancel()
        if let token = state.value.feedToken { hub.feed.remove(token) }
        if let token = state.value.usersToken { hub.users.remove(token) }
        hub.remove(self)
    }
}

extension TimeAmount {
    /// Whole seconds, for messages.
    fileprivate var seconds: Int64 { nanoseconds / 1_000_000_000 }
}
