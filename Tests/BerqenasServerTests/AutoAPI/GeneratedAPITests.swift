import BerqenasTestSupport
import Foundation
import SQLiteNIO
import Testing

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
        ] { _ = try await connection.query(statement) }
        try await connection.close()
        try await TestHub.run { hub in
            let token = try await hub.token()
            try await hub.createTenant("shop", adminToken: token)
            let remote = try await hub.send(.POST, "/api/v1/tenants/shop/remote-databases", token: token,
                                            json: ["name": "erp", "engine": "sqlite", "database": file]).jsonObject()
            let remoteID = try #require(remote["id"] as? String)
            let created = try await hub.send(.POST, "/api/v1/tenants/shop/apis", token: token, json: [
                "name": "catalog", "source": ["kind": "remote_database", "id": remoteID], "tables": [["name": "items", "operations": ["read"]] as [String: any Sendable]],
                "auth": "public_read", "max_rows": 3])
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
            let ranged = try await hub.send(.GET, "\(base)/items?select=id&order=id", headers: ["Range": "1-2", "Range-Unit": "items", "Prefer": "count=exact"])
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
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers.first(name: "Content-Range") == "0-2/4")
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

    @Test func changesTakeEffectOnTheNextRequest() async throws {
        try await withSource { hub, token, base in
            #expect(try await hub.send(.GET, "\(base)/items").status == .ok)
            let guarded = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token,
                                             json: ["auth": "jwt", "tables": ["*"]])
            #expect(guarded.status == .ok, "\(guarded.body.string)")
            #expect(try await hub.send(.GET, "\(base)/items").status == .unauthorized, "jwt now")
            #expect(try await hub.send(.GET, "\(base)/secrets", token: token).status == .ok, "every table now, with a token")
            #expect(try await hub.send(.GET, "\(base)/items", token: "not-a-token").status == .unauthorized)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/shop/apis/catalog", token: token).status == .noContent)
            #expect(try await hub.send(.GET, "\(base)/items", token: token).status == .notFound, "deleted: gone")
            let refused = try await hub.send(.POST, "/api/v1/tenants/shop/apis", token: token, json: [
                "name": "Bad Name", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "public_read"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("name"))
            let missing = try await hub.send(.POST, "/api/v1/tenants/shop/apis", token: token, json: [
                "name": "other", "source": ["kind": "tenant_store"], "tables": [["name": "nope"] as [String: any Sendable]], "auth": "public_read"])
            #expect(missing.status == .unprocessableEntity && missing.body.string.contains("tables"))
        }
    }
}
