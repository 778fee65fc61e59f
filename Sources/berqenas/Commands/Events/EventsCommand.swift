import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Vapor

/// `berqenas events acme [--follow] [--kind sync.] [--after N] [--json]`: a tenant's event log, and with
/// `--follow` the events as they happen (over the realtime WebSocket), until Ctrl-C.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "A tenant's events: the log after --after, and with --follow what happens next.")

    @ArgumentParser.Argument(help: "Tenant name.") var tenant: String
    @ArgumentParser.Flag(help: "Keep printing events as they happen (Ctrl-C stops).") var follow = false
    @ArgumentParser.Option(help: "Only kinds starting with this, e.g. sync. or vpn.peer.") var kind: String?
    @ArgumentParser.Option(help: "Print the events numbered after this (default: all in the log; with --follow: only new ones).")
    var after: Int?
    @ArgumentParser.Flag(help: "One JSON object per event and line.") var json = false

    func run() async throws {
        var client = try APIClient.loggedIn()
        var last = after ?? 0
        if after != nil || !follow {
            last = try await printLog(&client, after: last)
        } else {
            // Only new events: the log is read once to sign in (refreshing the token if need be) and learn nothing more.
            _ = try await client.send(.GET, try path(after: 0, limit: 1))
        }
        guard follow else { return }
        try await EventStream(config: client.config, tenant: tenant, since: after == nil ? nil : last) { event in
            print(event)
        }.run()
    }

    /// Prints the log after `after`, page by page; returns the last number printed (or `after`).
    private func printLog(_ client: inout APIClient, after: Int) async throws -> Int {
        var cursor = after
        while true {
            let page = try await client.send(.GET, try path(after: cursor, limit: 1000)) as? [String: Any]
            let items = page?["items"] as? [[String: Any]] ?? []
            for item in items { print(item) }
            guard items.count == 1000, let next = page?["last_id"] as? Int else { return (page?["last_id"] as? Int) ?? cursor }
            cursor = next
        }
    }

    private func path(after: Int, limit: Int) throws -> String {
        var query = "after=\(after)&limit=\(limit)"
        if let kind { query += "&kind=" + (kind.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        return "/api/v1/tenants/\(try PathSegment.encode(tenant))/events?\(query)"
    }

    private func print(_ event: [String: Any]) {
        if let kind, !((event["kind"] as? String)?.hasPrefix(kind) ?? false) { return }
        let line: String
        if json {
            let data = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            line = ["id", "occurred_at", "kind", "subject", "message"].map { OutputOptions.cell(event, $0) }.joined(separator: "  ")
        }
        // Unbuffered: a follower piped into another program sees each event as it comes.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The realtime WebSocket, signed in with the stored token and subscribed to one tenant.
struct EventStream {
    let config: ClientConfig
    let tenant: String
    let since: Int?
    let onEvent: @Sendable ([String: Any]) -> Void

    init(config: ClientConfig, tenant: String, since: Int?, onEvent: @escaping @Sendable ([String: Any]) -> Void) {
        self.config = config
        self.tenant = tenant
        self.since = since
        self.onEvent = onEvent
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let failure = Mutex<String?>(nil)
        let closed = group.next().makePromise(of: Void.self)
        let url = config.url.replacingOccurrences(of: "http://", with: "ws://").replacingOccurrences(of: "https://", with: "wss://")
        var subscribe: [String: Any] = ["action": "subscribe", "topic": "tenant:\(tenant)"]
        if let since { subscribe["since"] = since }
        let subscribeText = String(decoding: try JSONSerialization.data(withJSONObject: subscribe), as: UTF8.self)
        let authText = String(decoding: try JSONSerialization.data(withJSONObject: ["action": "auth", "token": config.accessToken]), as: UTF8.self)
        try await WebSocket.connect(to: url + "/api/v1/realtime", on: group) { [onEvent] ws in
            ws.onClose.cascade(to: closed)
            ws.onText { ws, text in
                guard let message = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return }
                switch message["type"] as? String {
                case "authenticated": ws.send(subscribeText)
                case "event": if let event = message["event"] as? [String: Any] { onEvent(event) }
                case "error", "unsubscribed":
                    failure.withLock { $0 = (message["message"] as? String) ?? "the hub ended the subscription" }
                    _ = ws.close()
                default: break
                }
            }
            ws.send(authText)
        }
        try await closed.futureResult.get()
        if let message = failure.withLock({ $0 }) { throw CLIError(message) }
        throw CLIError("the hub closed the event stream")
    }
}
