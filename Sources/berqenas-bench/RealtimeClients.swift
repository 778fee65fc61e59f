import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Vapor

/// `berqenas-bench realtime --socket ws://… --token T --trigger http://… [--method PATCH --bodies '[{…},{…}]']
/// --clients N --events E`: N WebSocket clients on one event loop group sign in and subscribe to
/// `tenant:bench`, print `connected`, wait for a line on stdin (the caller reads the server's memory
/// meanwhile), then raise E events one at a time by a request to the trigger URL (the bodies taken in turn),
/// each timed to its arrival at every client from the moment the request is sent, and from the event's
/// `occurred_at` (the hub's clock when it recorded the event, just before its commit; same machine, same clock).
/// Prints one JSON line: deliveries, p50, p99, max, and the same from `occurred_at` (milliseconds).
enum RealtimeClients {
    struct Round {
        var started: ContinuousClock.Instant
        var remaining: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    final class Tally: Sendable {
        let state = Mutex<(round: Round?, latencies: [Double], arrivals: [(Date, String)])>((nil, [], []))

        func received(_ text: String, at now: ContinuousClock.Instant, wallClock: Date) {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard var round = state.round else { return nil }
                let elapsed = now - round.started
                state.latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                state.arrivals.append((wallClock, text))
                round.remaining -= 1
                if round.remaining == 0 {
                    state.round = nil
                    return round.waiter
                }
                state.round = round
                return nil
            }
            waiter?.resume()
        }
    }

    static func run(_ arguments: [String]) async throws {
        let options = Options(arguments)
        let socketURL = options["socket"]
        let token = options["token"]
        let trigger = options["trigger"]
        let clients = Int(options["clients"]) ?? 1000
        let events = Int(options["events"]) ?? 50
        let method = HTTPMethod(rawValue: options["method"].isEmpty ? "POST" : options["method"])
        let bodies = options["bodies"].isEmpty ? ["{}"] : try JSONSerialization.jsonObject(with: Data(options["bodies"].utf8)) as? [Any] ?? []
        let texts = try bodies.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let group = MultiThreadedEventLoopGroup.singleton
        let tally = Tally()
        var sockets: [WebSocket] = []
        // Connect and sign in, fifty at a time.
        while sockets.count < clients {
            let batch = min(50, clients - sockets.count)
            sockets += try await withThrowingTaskGroup(of: WebSocket.self) { tasks in
                for _ in 0..<batch {
                    tasks.addTask { try await connect(socketURL, token: token, tally: tally, on: group) }
                }
                return try await tasks.reduce(into: []) { $0.append($1) }
            }
        }
        FileHandle.standardOutput.write(Data("connected\n".utf8))
        _ = readLine()
        let http = HTTPClient(eventLoopGroupProvider: .shared(group))
        for index in 0..<events {
            let body = texts.isEmpty ? "{}" : texts[index % texts.count]
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                tally.state.withLock { $0.round = Round(started: .now, remaining: clients, waiter: waiter) }
                Task {
                    var request = HTTPClientRequest(url: trigger)
                    request.method = method
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(string: body))
                    _ = try? await http.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 20)
                }
            }
        }
        try await http.shutdown()
        for socket in sockets { try? await socket.close().get() }
        let (latencies, arrivals) = tally.state.withLock { ($0.latencies.sorted(), $0.arrivals) }
        let byEvent = try fromOccurredAt(arrivals)
        let fromRecord = byEvent.values.flatMap { $0 }.sorted()
        func at(_ fraction: Double, _ values: [Double]) -> Double { values[min(values.count - 1, Int(fraction * Double(values.count)))] }
        // The slowest events by their last delivery: first / median / last arrival, to tell an event the hub
        // was slow to send (a late first arrival) from one slow to fan out (a late last arrival only).
        let slowest = byEvent.values.map { $0.sorted() }.sorted { $0.last ?? 0 > $1.last ?? 0 }.prefix(3)
            .map { "[\($0.first ?? 0),\(at(0.5, $0)),\($0.last ?? 0)]" }.joined(separator: ",")
        print(
            #"{"deliveries":\#(latencies.count),"p50":\#(at(0.5, latencies)),"p99":\#(at(0.99, latencies)),"max":\#(latencies.last ?? 0),"#
                + #""recorded_p50":\#(at(0.5, fromRecord)),"recorded_p99":\#(at(0.99, fromRecord)),"recorded_max":\#(fromRecord.last ?? 0),"#
                + #""slowest_events":[\#(slowest)]}"#)
    }

    /// Milliseconds from each event's `occurred_at` to its arrival at each client, by event (its `occurred_at`).
    static func fromOccurredAt(_ arrivals: [(Date, String)]) throws -> [String: [Double]] {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var parsed: [String: Date] = [:]
        var byEvent: [String: [Double]] = [:]
        for (arrival, text) in arrivals {
            guard let start = text.range(of: #""occurred_at":""#)?.upperBound, let end = text[start...].firstIndex(of: "\"") else {
                throw BenchError("an event without occurred_at")
            }
            let stamp = String(text[start..<end])
            if parsed[stamp] == nil { parsed[stamp] = try style.parse(stamp) }
            byEvent[stamp, default: []].append(arrival.timeIntervalSince(parsed[stamp]!) * 1000)
        }
        return byEvent
    }

    /// One client: signed in and subscribed when this returns.
    static func connect(_ url: String, token: String, tally: Tally, on group: any EventLoopGroup) async throws -> WebSocket {
        let (answers, answer) = AsyncStream.makeStream(of: String.self)
        let socket = SocketBox()
        try await WebSocket.connect(to: url, configuration: .init(maxFrameSize: 1 << 20), on: group) { ws in
            socket.value.withLock { $0 = ws }
            ws.onText { _, text in
                if text.contains(#""type":"event""#) {
                    tally.received(text, at: .now, wallClock: Date())
                } else {
                    answer.yield(text)
                }
            }
            ws.send(#"{"action":"auth","token":"\#(token)"}"#)
        }.get()
        var replies = answers.makeAsyncIterator()
        guard let signedIn = await replies.next(), signedIn.contains("authenticated") else { throw BenchError("not signed in") }
        guard let ws = socket.value.withLock({ $0 }) else { throw BenchError("no socket") }
        try await ws.send(#"{"action":"subscribe","topic":"tenant:bench"}"#)
        guard let subscribed = await replies.next(), subscribed.contains("subscribed") else { throw BenchError("not subscribed") }
        return ws
    }
}

final class SocketBox: Sendable {
    let value = Mutex<WebSocket?>(nil)
}

/// `--name value` pairs.
struct Options {
    let values: [String: String]

    init(_ arguments: [String]) {
        var values: [String: String] = [:]
        var index = 2
        while index + 1 < arguments.count {
            values[String(arguments[index].drop { $0 == "-" })] = arguments[index + 1]
            index += 2
        }
        self.values = values
    }

    subscript(_ name: String) -> String { values[name] ?? "" }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
