import BerqenasTestSupport
import Foundation
import SQLiteNIO
import Testing
import VaporTesting

@testable import BerqenasServer

/// A generated API over a registered SQLite database, end to end through the hub: defined, served in
/// PostgREST's grammar, changed and deleted with effect on the next request, guarded by its auth mode.
struct GeneratedAPITests {
    /// A tenant with a remote SQLite database holding `items` and `secrets`; passes the API base path.
    func withSource(_ body: (TestHub, String, String) async throws -> Void) async throws {
        let file = TemporaryDirectory.make().appendingPathComponent("shop.sqlite").path
        let connection = try await SQLiteConnection.open(storage: .file(path: file))
        for statement in [
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2), active BOOLEAN)",
            "INSERT INTO items VALUES (1, 'Anna''s pen', 3.5, 1), (2, 'Book', 12.25, 1), (3, 'Cup', 15, 0), (4, 'Desk', NULL, 1)",
            "CREATE TABLE secrets (id INTEGER PRIMARY KEY, value TEXT)",
            "CREATE TABLE labels (code TEXT PRIMARY KEY, note TEXT)",
        ] { _ = try await connection.query(statement) }
        try await connection.close()
        try await TestHub.run { hub in
            let token = try await hub.token()
            try await hub.createTenant("shop", adminToken: token)
            let remote = try await hub.send(
                .POST, "/api/v1/tenants/shop/remote-databases", token: token,
                json: ["name": "erp", "engine": "sqlite", "database": file]
            ).jsonObject()
            let remoteID = try #require(remote["id"] as? String)
            let created = try await hub.send(
                .POST, "/api/v1/tenants/shop/apis", token: token,
                json: [
                    "name": "catalog", "source": ["kind": "remote_database", "id": remoteID],
                    "tables": [["name": "items", "operations": ["read"]] as [String: any Sendable]],
                    "auth": "public_read", "max_rows": 3,
                ])
            #expect(created.status == .created, "\(created.body.string)")
            let definition = try created.jsonObject()
            let tables = try #require(definition["tables"] as? [[String: Any]])
            #expect(tables.count == 1 && tables[0]["name"] as? String == "items" && tables[0]["primary_key"] as? [String] == ["id"])
            #expect((tables[0]["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["id", "name", "price", "active"])
            try await body(hub, token, "/rest/v1/shop/catalog")
        }
    }

    @Test func readsInPostgRESTsGrammarWithExactValues() async throws {
        try await withSource { hub, _, base in
            let page = try await hub.send(.GET, "\(base)/items?select=id,title:name,price&price=gte.10&order=price.desc")
            #expect(page.status == .ok)
            #expect(page.body.string == #"[{"id":3,"title":"Cup","price":15},{"id":2,"title":"Book","price":12.25}]"#)
            #expect(page.headers.first(name: "Content-Range") == "0-1/*")
            let counted = try await hub.send(.GET, "\(base)/items?or=(price.is.null,name.ilike.anna*)&order=id", headers: ["Prefer": "count=exact"])
            #expect(counted.body.string.contains(#""id":1"#) && counted.body.string.contains(#""id":4"#))
            #expect(counted.headers.first(name: "Content-Range") == "0-1/2")
            let capped = try await hub.send(.GET, "\(base)/items?order=id")
            #expect((try JSONSerialization.jsonObject(with: Data(capped.body.string.utf8)) as? [Any])?.count == 3, "max_rows caps every read")
        }
    }

    @Test func rangesSingleObjectsCSVAndHead() async throws {
        try await withSource { hub, _, base in
            let ranged = try await hub.send(
                .GET, "\(base)/items?select=id&order=id", headers: ["Range": "1-2", "Range-Unit": "items", "Prefer": "count=exact"])
            #expect(ranged.status == .partialContent && ranged.body.string == #"[{"id":2},{"id":3}]"#)
            #expect(ranged.headers.first(name: "Content-Range") == "1-2/4")
            #expect(try await hub.send(.GET, "\(base)/items", headers: ["Range": "5-2"]).status.code == 416)
            let one = try await hub.send(.GET, "\(base)/items?id=eq.2&select=id,name", headers: ["Accept": "application/vnd.pgrst.object+json"])
            #expect(one.status == .ok && one.body.string == #"{"id":2,"name":"Book"}"#)
            let many = try await hub.send(.GET, "\(base)/items", headers: ["Accept": "application/vnd.pgrst.object+json"])
            #expect(many.status.code == 406 && many.body.string.contains("PGRST116"))
            let csv = try await hub.send(.GET, "\(base)/items?select=id,name,price&order=id&limit=2", headers: ["Accept": "text/csv"])
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string == "id,name,price\r\n1,Anna's pen,3.5\r\n2,Book,12.25\r\n")
            #expect(try await hub.send(.GET, "\(base)/items", headers: ["Accept": "image/png"]).status.code == 406)
            let head = try await hub.send(.HEAD, "\(base)/items?order=id", headers: ["Prefer": "count=exact"])
            #expect(
                head.status == .partialContent && head.body.readableBytes == 0 && head.headers.first(name: "Content-Range") == "0-2/4",
                "max_rows left one row out: 206, as PostgREST answers")
            let past = try await hub.send(.GET, "\(base)/items?offset=9", headers: ["Prefer": "count=exact"])
            #expect(past.status.code == 416 && Self.code(past) == "PGRST103")
        }
    }

    @Test func badRequestsGetPostgRESTsErrorsAndNeverTheSQL() async throws {
        try await withSource { hub, _, base in
            let unknown = try await hub.send(.GET, "\(base)/items?secret=eq.1")
            let unknownCode = try unknown.jsonObject()["code"] as? String
            #expect(unknown.status == .badRequest && unknownCode == "42703")
            let malformed = try await hub.send(.GET, "\(base)/items?price=between.1")
            let malformedCode = try malformed.jsonObject()["code"] as? String
            #expect(malformed.status == .badRequest && malformedCode == "PGRST100")
            let unserved = try await hub.send(.GET, "\(base)/secrets")
            #expect(unserved.status == .notFound, "a table the definition does not list is not there")
            let noAPI = try await hub.send(.GET, "/rest/v1/shop/nothing/items")
            #expect(noAPI.status == .notFound)
            let injected = try await hub.send(.GET, "\(base)/items?name=eq.x%27%3B%20DROP%20TABLE%20items%3B%20--")
            #expect(injected.status == .ok && injected.body.string == "[]")
            #expect(try await hub.send(.GET, "\(base)/items?id=eq.2").body.string.contains("Book"), "the table is still there")
        }
    }

    /// `/rest/v1` is dispatched ahead of Vapor's router (`RestDispatch`): paths match as the router matched them.
    @Test func pathsMatchAsTheRouterMatchedThem() async throws {
        try await withSource { hub, _, base in
            for path in ["\(base)/items?id=eq.2", "\(base)/it%65ms?id=eq.2", "\(base)/items/?id=eq.2", "/rest//v1/shop/catalog//items?id=eq.2"] {
                let page = try await hub.send(.GET, path)
                #expect(page.status == .ok && page.body.string.contains("Book"), "\(path): \(page.status)")
            }
            for path in [base, "\(base)/"] {
                let described = try await hub.send(.GET, path)
                #expect(described.headers.contentType?.subType == "openapi+json", "\(path)")
            }
            #expect(try await hub.send(.GET, "\(base)/items/extra").status == .notFound)
            #expect(try await hub.send(.OPTIONS, "\(base)/items").status == .notFound, "no OPTIONS: the router's 404")
            #expect(RestDispatch.parameters(of: "/rest/v1/a%2Fb/api/t") == ["a/b", "api", "t"])
            #expect(RestDispatch.parameters(of: "/rest/v1/bad%zz/api") == nil, "malformed escapes are left to the router")
            #expect(RestDispatch.parameters(of: "/api/v1/tenants") == nil)
        }
    }

    @Test func changesTakeEffectOnTheNextRequest() async throws {
        try await withSource { hub, token, base in
            #expect(try await hub.send(.GET, "\(base)/items").status == .ok)
            let guarded = try await hub.send(
                .PATCH, "/api/v1/tenants/shop/apis/catalog", token: token,
                json: ["auth": "jwt", "tables": ["*"]])
            #expect(guarded.status == .ok, "\(guarded.body.string)")
            #expect(try await hub.send(.GET, "\(base)/items").status == .unauthorized, "jwt now")
            #expect(try await hub.send(.GET, "\(base)/secrets", token: token).status == .ok, "every table now, with a token")
            #expect(try await hub.send(.GET, "\(base)/items", token: "not-a-token").status == .unauthorized)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/shop/apis/catalog", token: token).status == .noContent)
            #expect(try await hub.send(.GET, "\(base)/items", token: token).status == .notFound, "deleted: gone")
            let refused = try await hub.send(
                .POST, "/api/v1/tenants/shop/apis", token: token,
                json: [
                    "name": "Bad Name", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "public_read",
                ])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("name"))
            let missing = try await hub.send(
                .POST, "/api/v1/tenants/shop/apis", token: token,
                json: [
                    "name": "other", "source": ["kind": "tenant_store"], "tables": [["name": "nope"] as [String: any Sendable]],
                    "auth": "public_read",
                ])
            #expect(missing.status == .unprocessableEntity && missing.body.string.contains("tables"))
        }
    }
}

extension GeneratedAPITests {
    /// The PostgREST error code of a response.
    static func code(_ response: TestingHTTPResponse) -> String? {
        (try? response.jsonObject())?["code"] as? String
    }

    @Test func writesInPostgRESTsShapes() async throws {
        try await withSource { hub, token, base in
            let readOnly = try await hub.send(.POST, "\(base)/items", token: token, json: ["id": 9, "name": "Nope"])
            #expect(readOnly.status.code == 405, "the definition grants only read on items")
            let widened = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token, json: ["tables": ["*"]])
            #expect(widened.status == .ok && (try? widened.jsonObject())?["allow_unfiltered_writes"] as? Bool == false)
            #expect(
                try await hub.send(.POST, "\(base)/items", json: ["id": 9, "name": "Anon"]).status == .unauthorized,
                "public_read: writes need a token")

            let created = try await hub.send(
                .POST, "\(base)/items?select=id,name,price", token: token,
                json: ["id": 5, "name": "Ink", "price": "2.25"], headers: ["Prefer": "return=representation"])
            #expect(created.status == .created && created.body.string == #"[{"id":5,"name":"Ink","price":2.25}]"#, "\(created.body.string)")
            let quiet = try await hub.send(.POST, "\(base)/items", token: token, rawBody: #"[{"id": 6, "name": "Nib"}, {"id": 7, "name": "Pad"}]"#)
            #expect(quiet.status == .created && quiet.body.readableBytes == 0, "return=minimal by default")
            let located = try await hub.send(
                .POST, "\(base)/items", token: token, json: ["id": 8, "name": "Clip"], headers: ["Prefer": "return=headers-only"])
            #expect(located.headers.first(name: .location) == "/items?id=eq.8")
            let duplicate = try await hub.send(.POST, "\(base)/items", token: token, json: ["id": 5, "name": "Again"])
            #expect(duplicate.status == .conflict && Self.code(duplicate) == "23505")
            let upserted = try await hub.send(
                .POST, "\(base)/items?on_conflict=id&select=id,name", token: token,
                rawBody: #"[{"id": 5, "name": "Blue ink"}, {"id": 10, "name": "Tape"}]"#,
                headers: ["Prefer": "resolution=merge-duplicates,return=representation"])
            #expect(upserted.status == .created && upserted.body.string == #"[{"id":5,"name":"Blue ink"},{"id":10,"name":"Tape"}]"#)
            #expect(upserted.headers.first(name: "Preference-Applied")?.contains("resolution=merge-duplicates") == true)
            let unknown = try await hub.send(.POST, "\(base)/items", token: token, json: ["id": 11, "name": "X", "colour": "red"])
            #expect(unknown.status == .badRequest && Self.code(unknown) == "PGRST204")
            let broken = try await hub.send(.POST, "\(base)/items", token: token, rawBody: #"{"id": 1,"#)
            #expect(broken.status == .badRequest && Self.code(broken) == "PGRST102")

            let patched = try await hub.send(
                .PATCH, "\(base)/items?id=gte.6&id=lte.7&select=id,active", token: token,
                json: ["active": false], headers: ["Prefer": "return=representation"])
            #expect(patched.status == .ok && patched.body.string == #"[{"id":6,"active":false},{"id":7,"active":false}]"#, "\(patched.body.string)")
            #expect(try await hub.send(.PATCH, "\(base)/items?id=eq.8", token: token, json: ["name": "Binder clip"]).status == .noContent)
            let notOne = try await hub.send(
                .PATCH, "\(base)/items?id=gte.6", token: token, json: ["name": "Same"],
                headers: ["Prefer": "return=representation", "Accept": "application/vnd.pgrst.object+json"])
            #expect(notOne.status.code == 406 && Self.code(notOne) == "PGRST116")
            #expect(
                !(try await hub.send(.GET, "\(base)/items?name=eq.Same", token: token).body.string.contains("Same")),
                "a single object was asked for and several rows matched: nothing changed")
            let everything = try await hub.send(.DELETE, "\(base)/items", token: token)
            #expect(everything.status == .badRequest && Self.code(everything) == "21000", "an unfiltered delete is refused")
            let deleted = try await hub.send(
                .DELETE, "\(base)/items?active=is.false&select=id", token: token,
                headers: ["Prefer": "return=representation"])
            #expect(deleted.status == .ok && deleted.body.string == #"[{"id":3},{"id":6},{"id":7}]"#, "\(deleted.body.string)")
            let left = try await hub.send(.GET, "\(base)/items?select=id&order=id", token: token)
            #expect(left.body.string == #"[{"id":1},{"id":2},{"id":4}]"#, "max_rows 3 caps the read; \(left.body.string)")
            let insertOnly = try await hub.send(
                .PATCH, "/api/v1/tenants/shop/apis/catalog", token: token,
                json: ["tables": [["name": "items", "operations": ["insert", "delete"]] as [String: any Sendable]]])
            #expect(insertOnly.status == .ok)
            let peek = try await hub.send(
                .POST, "\(base)/items", token: token, json: ["id": 12, "name": "Peek"], headers: ["Prefer": "return=representation"])
            #expect(peek.status == .forbidden, "no read grant: no rows in the answer")
            _ = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token, json: ["tables": ["*"]])
            let allowed = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token, json: ["allow_unfiltered_writes": true])
            #expect(allowed.status == .ok)
            #expect(try await hub.send(.DELETE, "\(base)/items", token: token).status == .noContent)
            #expect(try await hub.send(.GET, "\(base)/items", token: token).body.string == "[]")
        }
    }

    /// Bodies are strict JSON, sent as JSON, or refused as PostgREST refuses them (400 PGRST102) with nothing
    /// written; a created row's `Location` leads back to it whatever its key holds.
    @Test func bodiesAreStrictJSONAndLocationsLeadBackToTheRow() async throws {
        try await withSource { hub, token, base in
            let widened = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token, json: ["tables": ["*"]])
            #expect(widened.status == .ok)
            for body in [#"{"id": 012, "name": "Zero"}"#, #"{"id": 13, "name": "\u+041"}"#, #"{"id": -01, "name": "Minus"}"#] {
                let refused = try await hub.send(.POST, "\(base)/items", token: token, rawBody: body)
                #expect(refused.status == .badRequest && Self.code(refused) == "PGRST102", "\(body)")
            }
            let plain = try await hub.send(
                .POST, "\(base)/items", token: token, rawBody: #"{"id": 14, "name": "Plain"}"#,
                contentType: .plainText)
            #expect(plain.status == .badRequest && Self.code(plain) == "PGRST102")
            let none = try await hub.send(.GET, "\(base)/items?id=in.(-1,12,13,14)", token: token)
            #expect(none.body.string == "[]", "nothing was written: \(none.body.string)")

            let key = "a&b=c+d#e f/ü"
            let created = try await hub.send(
                .POST, "\(base)/labels", token: token, json: ["code": key, "note": "x"],
                headers: ["Prefer": "return=headers-only"])
            #expect(created.status == .created)
            let location = try #require(created.headers.first(name: .location))
            #expect(location == "/labels?code=eq.a%26b%3Dc%2Bd%23e%20f%2F%C3%BC")
            let found = try await hub.send(.GET, base + location, token: token)
            #expect(found.body.string == #"[{"code":"a&b=c+d#e f/ü","note":"x"}]"#, "\(found.body.string)")
        }
    }

    @Test func aSuspendedTenantsAPIsOnlyRead() async throws {
        try await withSource { hub, token, base in
            _ = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token, json: ["tables": ["*"]])
            #expect(try await hub.send(.POST, "\(base)/items", token: token, json: ["id": 20, "name": "Before"]).status == .created)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/shop", token: token).status == .ok, "suspended")
            let refused = try await hub.send(.POST, "\(base)/items", token: token, json: ["id": 21, "name": "After"])
            #expect(refused.status == .forbidden && Self.code(refused) == "tenant_suspended")
            #expect(try await hub.send(.GET, "\(base)/items?id=eq.20").body.string.contains("Before"), "reads go on")
        }
    }
}
