import BerqenasTestSupport
import Foundation
import Testing
import VaporTesting

@testable import BerqenasServer

/// Writes as PostgREST answers them: a PATCH that sets nothing changes nothing, `columns=` narrows a PATCH,
/// `Content-Range` counts what was written, and the `Prefer` choices `handling=strict`, `max-affected` and
/// `tx=rollback` are honoured, each checked against the rows left behind.
struct WritePreferencesTests {
    static func names(_ hub: TestHub, _ token: String, _ base: String) async throws -> String {
        try await hub.send(.GET, "\(base)/items?select=id,name,price&order=id", token: token).body.string
    }

    @Test func writesAnswerWithPostgRESTsRangesAndPreferences() async throws {
        try await GeneratedAPITests().withSource { hub, token, base in
            _ = try await hub.send(.PATCH, "/api/v1/tenants/shop/apis/catalog", token: token, json: ["tables": ["*"], "max_rows": 100])
            let before = try await Self.names(hub, token, base)

            // Nothing to set: nothing changes, filtered or not.
            for body in ["{}", "[]", "[{}]"] {
                let empty = try await hub.send(.PATCH, "\(base)/items", token: token, rawBody: body)
                #expect(empty.status == .noContent && empty.headers.first(name: "Content-Range") == "*/*", "\(body): \(empty.body.string)")
            }
            let shown = try await hub.send(.PATCH, "\(base)/items", token: token, rawBody: "{}", headers: ["Prefer": "return=representation"])
            #expect(shown.status == .ok && shown.body.string == "[]")
            let several = try await hub.send(.PATCH, "\(base)/items?id=eq.1", token: token, rawBody: #"[{"name":"a"},{"name":"b"}]"#)
            #expect(several.status == .badRequest && GeneratedAPITests.code(several) == "PGRST102")
            #expect(try await Self.names(hub, token, base) == before)

            // columns= takes only the keys it names; a name the table lacks is refused.
            let narrowed = try await hub.send(
                .PATCH, "\(base)/items?id=eq.2&columns=name&select=id,name,price", token: token, json: ["name": "Notebook", "price": 99],
                headers: ["Prefer": "return=representation"])
            #expect(narrowed.body.string == #"[{"id":2,"name":"Notebook","price":12.25}]"#, "\(narrowed.body.string)")
            let helicopter = try await hub.send(.PATCH, "\(base)/items?id=eq.2&columns=helicopter", token: token, json: ["name": "x"])
            #expect(helicopter.status == .badRequest && GeneratedAPITests.code(helicopter) == "PGRST204")

            // Ranges: what an update touched, counted when asked; an insert's total.
            let touched = try await hub.send(.PATCH, "\(base)/items?id=lte.2", token: token, json: ["active": true])
            #expect(touched.status == .noContent && touched.headers.first(name: "Content-Range") == "0-1/*")
            let counted = try await hub.send(
                .PATCH, "\(base)/items?id=lte.2", token: token, json: ["active": true], headers: ["Prefer": "count=exact"])
            #expect(counted.headers.first(name: "Content-Range") == "0-1/2")
            let none = try await hub.send(.DELETE, "\(base)/items?id=eq.999", token: token)
            #expect(none.status == .noContent && none.headers.first(name: "Content-Range") == "*/*")
            let inserted = try await hub.send(.POST, "\(base)/items", token: token, json: ["id": 20, "name": "Tape"])
            #expect(inserted.status == .created && inserted.headers.first(name: "Content-Range") == "*/*")

            // handling=strict: an unknown preference is an error; lenient (the default) ignores it.
            let strict = try await hub.send(
                .PATCH, "\(base)/items?id=eq.20", token: token, json: ["name": "x"], headers: ["Prefer": "handling=strict, colour=blue"])
            #expect(strict.status == .badRequest && GeneratedAPITests.code(strict) == "PGRST122")
            #expect((try strict.jsonObject())["details"] as? String == "Invalid preferences: colour=blue")
            let lenient = try await hub.send(
                .PATCH, "\(base)/items?id=eq.20", token: token, json: ["name": "Tape 2"], headers: ["Prefer": "colour=blue"])
            #expect(lenient.status == .noContent)

            // max-affected (with handling=strict): more rows than allowed and nothing changes.
            let tooMany = try await hub.send(
                .PATCH, "\(base)/items?id=lte.2", token: token, json: ["name": "Same"],
                headers: ["Prefer": "handling=strict", "prefer": "max-affected=1"])
            #expect(tooMany.status == .badRequest && GeneratedAPITests.code(tooMany) == "PGRST124", "\(tooMany.body.string)")
            #expect((try tooMany.jsonObject())["details"] as? String == "The query affects 2 rows")
            let withinLimit = try await hub.send(
                .DELETE, "\(base)/items?id=eq.20", token: token, headers: ["Prefer": "handling=strict,max-affected=1"])
            #expect(withinLimit.status == .noContent)
            #expect(withinLimit.headers.first(name: "Preference-Applied") == "handling=strict, max-affected=1")

            // tx=rollback: the answer says what would have happened; nothing did.
            let afterSetup = try await Self.names(hub, token, base)
            let dryRun = try await hub.send(
                .DELETE, "\(base)/items?id=lte.2&select=id", token: token, headers: ["Prefer": "return=representation, tx=rollback"])
            #expect(dryRun.status == .ok && dryRun.body.string == #"[{"id":1},{"id":2}]"#, "\(dryRun.body.string)")
            #expect(dryRun.headers.first(name: "Preference-Applied") == "return=representation, tx=rollback")
            #expect(try await Self.names(hub, token, base) == afterSetup)
        }
    }
}
