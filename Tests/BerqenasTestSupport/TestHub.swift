import BerqenasPlatform
import BerqenasServer
import Foundation
import NIOCore
import Vapor
import VaporTesting

/// A real hub (real SQLite files or a real PostgreSQL database) in memory, with request helpers.
package struct TestHub: Sendable {
    /// The admin password every test hub starts with.
    package static let adminPassword = "correct-horse-battery"

    package let app: Application
    package let configuration: PlatformConfiguration

    /// Which system database a test hub uses.
    package enum Mode: Sendable {
        case sqlite
        case postgresql(url: String)
    }

    /// Starts a hub over `dataDirectory` (a new temporary one by default), runs `body`, and shuts it down.
    package static func run<T: Sendable>(
        _ mode: Mode = .sqlite,
        dataDirectory: URL? = nil,
        masterKeyBase64: String? = nil,
        adminPassword: String? = TestHub.adminPassword,
        accessTokenLifetime: TimeInterval = 900,
        hooks: ProvisioningHooks = ProvisioningHooks(),
        adjust: (inout PlatformConfiguration) -> Void = { _ in },
        _ body: (TestHub) async throws -> T
    ) async throws -> T {
        var configuration = PlatformConfiguration(
            dataDirectory: dataDirectory ?? TemporaryDirectory.make(),
            masterKeyBase64: masterKeyBase64,
            adminPassword: adminPassword,
            accessTokenLifetime: accessTokenLifetime,
            bcryptCost: 4
        )
        if case let .postgresql(url) = mode { configuration.databaseURL = url }
        // Test hubs apply no WireGuard state unless a test asks (the VPN tests that do use namespaces).
        configuration.vpn.backend = .none
        configuration.sqliteRemoteDirectory = FileManager.default.temporaryDirectory
        configuration.remoteAllow = Self.loopbackAllowance
        // Test hubs sign in often from one in-memory "address"; the tests of these limits set their own.
        configuration.loginRatePerMinute = 10_000
        configuration.anonymousRatePerMinute = 100_000
        adjust(&configuration)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await BerqenasServer.configure(app, configuration: configuration, hooks: hooks)
            try await app.asyncBoot()
            let hub = TestHub(app: app, configuration: configuration)
            let result = try await BerqenasServer.withBackgroundServices(app) { try await body(hub) }
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// What test hubs may connect to for tenants: loopback (the test cluster and local sites), including the
    /// test cluster's port, which the destination policy otherwise keeps for a PostgreSQL system database.
    package static let loopbackAllowance: String = {
        var entries = ["127.0.0.0/8", "::1/128"]
        if let url = PostgresTestCluster.adminURL.flatMap(URL.init(string:)), let port = url.port {
            entries += ["127.0.0.0/8:\(port)", "[::1/128]:\(port)"]
        }
        return entries.joined(separator: ",")
    }()

    /// Sends a request; `json` is encoded as the body, `token` as a bearer token.
    @discardableResult
    package func send(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: any Sendable]? = nil,
        rawBody: String? = nil, contentType: HTTPMediaType = .json, headers extra: [String: String] = [:]
    ) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders(extra.map { ($0.key, $0.value) })
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        var body = ByteBuffer()
        if let json {
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
            headers.contentType = contentType
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
            headers.contentType = contentType
        }
        return try await app.testing().performTest(
            request: TestingHTTPRequest(
                method: method, url: URI(path: path), headers: headers, body: body
            ))
    }

    /// Signs in and returns the token answer.
    package func login(_ username: String = "admin", _ password: String = adminPassword) async throws -> [String: Any] {
        let response = try await send(.POST, "/api/v1/auth/login", json: ["username": username, "password": password])
        guard response.status == .ok else {
            throw TestSupportError("login of \(username) answered \(response.status): \(response.body.string)")
        }
        return try response.jsonObject()
    }

    /// An access token for `username`.
    package func token(_ username: String = "admin", _ password: String = adminPassword) async throws -> String {
        guard let token = try await login(username, password)["access_token"] as? String else {
            throw TestSupportError("no access token")
        }
        return token
    }

    /// Creates a tenant (as admin) and fails the test fixture when that does not answer 201.
    @discardableResult
    package func createTenant(_ name: String, adminToken: String) async throws -> [String: Any] {
        let response = try await send(.POST, "/api/v1/tenants", token: adminToken, json: ["name": name])
        guard response.status == .created else {
            throw TestSupportError("creating tenant \(name) answered \(response.status): \(response.body.string)")
        }
        return try response.jsonObject()
    }

    /// Creates a user (as `token`) and returns a fresh access token of that user.
    package func createUser(_ username: String, role: String, tenant: String?, token: String) async throws -> String {
        var body: [String: any Sendable] = ["username": username, "password": "pw-\(username)-123456", "role": role]
        if let tenant { body["tenant"] = tenant }
        let response = try await send(.POST, "/api/v1/users", token: token, json: body)
        guard response.status == .created else {
            throw TestSupportError("creating user \(username) answered \(response.status): \(response.body.string)")
        }
        return try await self.token(username, "pw-\(username)-123456")
    }
}

extension TestingHTTPResponse {
    /// The body as a JSON object.
    package func jsonObject() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw TestSupportError("body is not a JSON object: \(body.string)")
        }
        return object
    }

    /// The body as a JSON array of objects.
    package func jsonArray() throws -> [[String: Any]] {
        guard let array = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [[String: Any]] else {
            throw TestSupportError("body is not a JSON array of objects: \(body.string)")
        }
        return array
    }

    /// `error.code` of an error answer.
    package var errorCode: String? {
        ((try? jsonObject())?["error"] as? [String: Any])?["code"] as? String
    }

    /// `error.message` of an error answer.
    package var errorMessage: String? {
        ((try? jsonObject())?["error"] as? [String: Any])?["message"] as? String
    }
}

/// Temporary folders for data directories.
package enum TemporaryDirectory {
    /// A new empty folder under the system's temporary directory.
    package static func make() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("berqenas-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
