import BerqenasTestSupport
import Foundation
import Testing

/// A table the API does not let callers read gives nothing away: it cannot be embedded (nor filtered through
/// an embed), and writes that filter on it need the read grant, as a WHERE does in PostgreSQL.
struct TableGrantAttackTests {
    static let grants: [[String: any Sendable]] = [
        ["name": "items", "operations": ["read"]],
        ["name": "orders", "operations": ["insert", "delete"]],
    ]

    @Test func anInsertOnlyTableCannotBeEmbeddedAnonymously() async throws {
        try await AttackSource.run(tables: Self.grants) { source in
            let hub = source.hub
            for query in [
                "select=*,orders(*)", "select=id,orders(card)", "select=id,o:orders(card)&o.card=like.4111*",
                "select=id,orders(id)&orders.card=eq.4111-secret",
            ] {
                let response = try await hub.send(.GET, "\(source.base)/items?\(query)")
                #expect(response.status == .badRequest && !response.body.string.contains("secret"), "\(query): \(response.body.string)")
                #expect(response.body.string.contains("PGRST200"), "the same answer as for a table that does not exist: \(response.body.string)")
            }
            let plain = try await hub.send(.GET, "\(source.base)/items?select=id&order=id")
            #expect(plain.body.string == #"[{"id":1},{"id":2}]"#)
            let definition = try await hub.send(.GET, "/api/v1/tenants/shop/apis/catalog", token: source.adminToken).jsonObject()
            #expect(definition["max_rows"] as? Int == 1000, "an API defined without max_rows is capped at 1000: \(definition)")
        }
    }

    @Test func filteringWritesNeedTheReadGrant() async throws {
        try await AttackSource.run(tables: Self.grants, auth: "api_key") { source in
            let hub = source.hub
            let token = source.adminToken
            let probe = try await hub.send(.DELETE, "\(source.base)/orders?card=like.4111*", token: token, headers: ["Prefer": "count=exact"])
            #expect(probe.status == .forbidden && probe.body.string.contains("42501"), "\(probe.body.string)")
            let inserted = try await hub.send(.POST, "\(source.base)/orders", token: token, json: ["id": 12, "item_id": 1, "card": "x"])
            #expect(inserted.status == .created, "insert stays allowed: \(inserted.body.string)")
        }
    }
}
