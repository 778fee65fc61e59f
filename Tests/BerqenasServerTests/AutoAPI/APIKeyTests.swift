import BerqenasTestSupport
import Foundation
import SQLiteNIO
import Testing
import VaporTesting

@testable import BerqenasPlatform

/// Keys of generated APIs: shown once, stored hashed, listed by prefix, read or write, revoked at once,
/// limited by networks, expiry and rate.
struct APIKeyTests {
    func withKeyedAPI(_ body: (TestHub, String, String) async throws -> Void) async throws {
        let file = TemporaryDirectory.make().appendingPathComponent("keys.sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: file))
        _ = try await connection.query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        _ = try await connection.query("INSERT INTO notes VALUES (1, 'first')")
        try await connection.close()
        try await TestHub.run { hub in
            let token = try await hub.token()
            try await hub.createTenant("acme", adminToken: token)
            let remote = try await hub.send(
                .POST, "/api/v1/tenants/acme/remote-databases", token: token,
                json: ["name": "notes", "engine": "sqlite", "database": file]
            ).jsonObject()
            let created = try await hub.send(
                .POST, "/api/v1/tenants/acme/apis", token: token,
                json: [
                    "name": "notes", "source": ["kind": "remote_database", "id": try #require(remote["id"] as? String)], "tables": ["*"],
                    "auth": "api_key",
                ])
            #expect(created.status == .created, "\(created.body.string)")
            try await body(hub, token, "/api/v1/tenants/acme/apis/notes/keys")
        }
    }

    func makeKey(_ hub: TestHub, _ token: String, _ path: String, _ fields: [String: any Sendable]) async throws -> (id: String, key: String) {
        let made = try await hub.send(.POST, path, token: token, json: fields)
        #expect(made.status == .created, "\(made.body.string)")
        let object = try made.jsonObject()
        return (try #require(object["id"] as? String), try #require(object["key"] as? String))
    }

    @Test func keysReadWriteAndAreRevokedAtOnce() async throws {
        try await withKeyedAPI { hub, token, keys in
            let table = "/rest/v1/acme/notes/notes"
            #expect(try await hub.send(.GET, table).status == .unauthorized, "api_key mode: no key, no rows")
            let reader = try await makeKey(hub, token, keys, ["name": "dashboard", "permissions": "read"])
            let writer = try await makeKey(hub, token, keys, ["name": "importer", "permissions": "write", "expires_at": "2099-01-01T00:00:00Z"])
            #expect(reader.key.hasPrefix("bqk_") && reader.key.count == 44)

            #expect(try await hub.send(.GET, table, headers: ["apikey": reader.key]).body.string == #"[{"id":1,"body":"first"}]"#)
            #expect(try await hub.send(.GET, table, headers: ["Authorization": "Bearer \(reader.key)"]).status == .ok)
            let readOnly = try await hub.send(.POST, table, json: ["id": 2, "body": "no"], headers: ["apikey": reader.key])
            #expect(readOnly.status == .forbidden && readOnly.body.string.contains("may only read"))
            #expect(try await hub.send(.POST, table, json: ["id": 2, "body": "yes"], headers: ["apikey": writer.key]).status == .created)
            let forged = String(reader.key.prefix(12)) + String(repeating: "x", count: 32)
            #expect(try await hub.send(.GET, table, headers: ["apikey": forged]).status == .unauthorized, "the prefix alone is not the key")

            let listed = try await hub.send(.GET, keys, token: token)
            let items = try #require(try listed.jsonObject()["items"] as? [[String: Any]])
            #expect(items.count == 2 && items.allSatisfy { $0["key"] == nil }, "lists never show the secret")
            #expect(Set(items.compactMap { $0["prefix"] as? String }) == [String(reader.key.prefix(12)), String(writer.key.prefix(12))])
            #expect(!listed.body.string.contains(reader.key))

            #expect(try await hub.send(.DELETE, "\(keys)/\(reader.id)", token: token).status == .noContent)
            #expect(try await hub.send(.GET, table, headers: ["apikey": reader.key]).status == .unauthorized, "revoked at once")
            #expect(try await hub.send(.GET, table, headers: ["apikey": writer.key]).status == .ok, "other keys unaffected")

            let fenced = try await makeKey(hub, token, keys, ["name": "office", "permissions": "read", "allowed_cidrs": ["198.18.7.0/24"]])
            #expect(try await hub.send(.GET, table, headers: ["apikey": fenced.key]).status == .forbidden)
            let bad = try await hub.send(.POST, keys, token: token, json: ["name": "x", "permissions": "admin"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("permissions"))
            let past = try await hub.send(
                .POST, keys, token: token, json: ["name": "x", "permissions": "read", "expires_at": "2001-01-01T00:00:00Z"])
            #expect(past.status == .unprocessableEntity && past.body.string.contains("expires_at"))
        }
    }

    @Test func overTheRateLimitIs429WithRetryAfter() async throws {
        try await withKeyedAPI { hub, token, keys in
            let limited = try await makeKey(hub, token, keys, ["name": "batch", "permissions": "read", "rate_limit_per_minute": 3])
            var statuses: [UInt] = []
            for _ in 0..<4 { statuses.append(try await hub.send(.GET, "/rest/v1/acme/notes/notes", headers: ["apikey": limited.key]).status.code) }
            #expect(statuses == [200, 200, 200, 429])
            let refused = try await hub.send(.GET, "/rest/v1/acme/notes/notes", headers: ["apikey": limited.key])
            let wait = Int(refused.headers.first(name: "Retry-After") ?? "")
            #expect(refused.status.code == 429 && wait != nil && (1...20).contains(wait ?? 0), "3 a minute: one more in 20 s at most")
        }
    }

    @Test func admissionChecksExpiryNetworksAndPermissions() throws {
        let key = APIKey()
        key.id = UUID()
        key.name = "k"
        key.prefix = "bqk_abcdefgh"
        let secret = "bqk_abcdefgh" + String(repeating: "z", count: 32)
        key.keyHash = SignInService.digest(secret)
        key.permissions = "read"
        key.allowedCIDRs = "198.18.0.0/16,10.1.2.3/32"
        key.expiresAt = Date(timeIntervalSince1970: 2_000_000_000)
        let keys = [key.prefix: key]
        let before = Date(timeIntervalSince1970: 1_900_000_000)
        #expect(try APIKeyService.admit(secret, among: keys, from: "198.18.4.5", writing: false, now: before) === key)
        #expect(try APIKeyService.admit(secret, among: keys, from: "::ffff:10.1.2.3", writing: false, now: before) === key)
        #expect(throws: (any Error).self) { try APIKeyService.admit(secret, among: keys, from: "10.1.2.4", writing: false, now: before) }
        #expect(throws: (any Error).self) { try APIKeyService.admit(secret, among: keys, from: nil, writing: false, now: before) }
        #expect(throws: (any Error).self) { try APIKeyService.admit(secret, among: keys, from: "198.18.4.5", writing: true, now: before) }
        #expect(throws: (any Error).self) {
            try APIKeyService.admit(secret, among: keys, from: "198.18.4.5", writing: false, now: Date(timeIntervalSince1970: 2_000_000_001))
        }
        #expect(throws: (any Error).self) { try APIKeyService.admit(secret + "z", among: keys, from: "198.18.4.5", writing: false, now: before) }
    }
}
