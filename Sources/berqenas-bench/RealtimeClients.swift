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
/// each timed from the moment the request is sent to its arrival at every client.
/// Prints one JSON line: deliveries, p50, p99, max (milliseconds).
enum RealtimeClients {
    struct Round {
        var started: ContinuousClock.Instant
        var remaining: Int
        var waiter: CheckedContinuation<Void, Never>?
    }

    final class Tally: Sendable {
        let state = Mutex<(round: Round?, latencies: [Double])>((nil, []))

        func received(at now: ContinuousClock.Instant) {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard var round = state.round else { return nil }
                let elapsed = now - round.started
                state.latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
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
        let latencies = tally.state.withLock { $0.latencies }.sorted()
        func at(_ fraction: Double) -> Double { latencies[min(latencies.count - 1, Int(fraction * Double(latencies.count)))] }
        print(#"{"deliveries":\#(latencies.count),"p50":\#(at(0.5)),"p99":\#(at(0.99)),"max":\#(latencies.last ?? 0)}"#)
    }

    /// One client: signed in and subscribed when this returns.
    static func connect(_ url: String, token: String, tally: Tally, on group: any EventLoopGroup) async throws -> WebSocket {
        let (answers, answer) = AsyncStream.makeStream(of: String.self)
        let socket = SocketBox()
        try await WebSocket.connect(to: url, configuration: .init(maxFrameSize: 1 << 20), on: group) { ws in
            socket.value.withLock { $0 = ws }
            ws.onText { _, text in
                if text.contains(#""type":"event""#) {
                    tally.received(at: .now)
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
