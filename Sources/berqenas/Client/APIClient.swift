import AsyncHTTPClient
import BerqenasServer
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to the hub's management API with the stored tokens, refreshing them once when they expire.
struct APIClient {
    var config: ClientConfig

    /// A client for the logged-in hub.
    static func loggedIn() throws -> APIClient {
        APIClient(config: try ClientConfigStore.load())
    }

    /// Sends `body`, one of the request types the server decodes, and returns the decoded JSON answer (nil
    /// for 204).
    /// - Throws: `CLIError` with the server's error code and message.
    mutating func send(_ method: HTTPMethod, _ path: String, body: some Encodable & Sendable) async throws -> Any? {
        try await send(method, path, encoded: try Self.encode(body))
    }

    /// Sends a request without a body.
    mutating func send(_ method: HTTPMethod, _ path: String) async throws -> Any? {
        try await send(method, path, encoded: nil)
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, encoded body: Data?) async throws -> Any? {
        var answer = try await Self.perform(method, url: config.url + path, body: body, token: config.accessToken)
        if answer.status == .unauthorized {
            try await refreshTokens()
            answer = try await Self.perform(method, url: config.url + path, body: body, token: config.accessToken)
        }
        return try Self.decode(answer)
    }

    private static func encode(_ body: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(body)
    }

    /// Fetches a text answer (a file such as a peer's config), with the same errors as `send`.
    mutating func text(_ path: String) async throws -> String {
        String(buffer: try await bytes(path))
    }

    /// GETs a non-JSON resource (a file, an image) as it comes.
    mutating func bytes(_ path: String) async throws -> ByteBuffer {
        var answer = try await Self.perform(.GET, url: config.url + path, body: nil, token: config.accessToken)
        if answer.status == .unauthorized {
            try await refreshTokens()
            answer = try await Self.perform(.GET, url: config.url + path, body: nil, token: config.accessToken)
        }
        guard (200..<300).contains(answer.status.code) else {
            _ = try Self.decode(answer)
            throw CLIError("HTTP \(answer.status.code)")
        }
        return answer.body
    }

    /// Signs in and returns the stored configuration.
    static func login(url: String, username: String, password: String) async throws -> ClientConfig {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let answer = try await perform(
            .POST, url: base + "/api/v1/auth/login",
            body: try encode(LoginRequest(username: username, password: password)), token: nil)
        let tokens = try decode(answer) as? [String: Any]
        guard let access = tokens?["access_token"] as? String, let refresh = tokens?["refresh_token"] as? String else {
            throw CLIError("the server at \(base) did not answer like a Berqenas hub")
        }
        return ClientConfig(url: base, username: username, accessToken: access, refreshToken: refresh)
    }

    private mutating func refreshTokens() async throws {
        let answer = try await Self.perform(
            .POST, url: config.url + "/api/v1/auth/refresh",
            body: try Self.encode(RefreshRequest(refreshToken: config.refreshToken)), token: nil)
        guard answer.status == .ok, let tokens = try Self.decode(answer) as? [String: Any],
            let access = tokens["access_token"] as? String, let refresh = tokens["refresh_token"] as? String
        else {
            throw CLIError("the session has expired: run `berqenas login` again")
        }
        config.accessToken = access
        config.refreshToken = refresh
        try ClientConfigStore.save(config)
    }

    struct Answer {
        let status: HTTPResponseStatus
        let body: ByteBuffer
    }

    static func perform(_ method: HTTPMethod, url: String, body: Data?, token: String?) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            return Answer(status: response.status, body: try await response.body.collect(upTo: 16 * 1024 * 1024))
        } catch {
            throw CLIError("cannot reach \(url): \(error)")
        }
    }

    private static func decode(_ answer: Answer) throws -> Any? {
        let data = Data(answer.body.readableBytesView)
        let json = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)
        guard (200..<300).contains(answer.status.code) else {
            if let error = (json as? [String: Any])?["error"] as? [String: Any],
                let code = error["code"] as? String, let message = error["message"] as? String
            {
                throw CLIError("\(code): \(message) (HTTP \(answer.status.code))")
            }
            throw CLIError("HTTP \(answer.status.code)")
        }
        return json
    }
}
