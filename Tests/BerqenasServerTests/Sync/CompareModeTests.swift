import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import Testing

/// The compare capture mode: a site whose DBA allows no triggers is synced one way by comparing the
/// tables, and its catalog gains nothing.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct CompareModeTests {
    /// Every schema, relation, trigger and function of a database, by name.
    static func catalog(_ url: String) async throws -> [String] {
        try await PostgresTestCluster.withConnection(url) { connection in
            var names: [String] = []
            let query: PostgresQuery = """
                SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
                UNION ALL SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                UNION ALL SELECT 'schema ' || nspname FROM pg_namespace ORDER BY 1
                """
            for try await name in try await connection.query(query, logger: Logger(label: "tests")).decode(String.self) { names.append(name) }
            return names
        }
    }

    @Test(arguments: HubEngine.available)
    func aSiteWithNothingInstalledSyncsOneWayWithoutLosingACloudEdit(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            let switched = try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["capture_mode": "compare"])
            #expect(switched.status == .ok, "\(switched.body.string)")
            let before = try await Self.catalog(fixture.localURL)
            let tables = try await fixture.hub.send(.GET, path + "/tables", token: fixture.token)
            let orders = try #require((try tables.jsonArray()).first { $0["name"] as? String == "orders" })
            let modes = Dictionary(
                uniqueKeysWithValues: (orders["capture_modes"] as? [[String: Any]] ?? []).map { ($0["mode"] as? String ?? "", $0) })
            #expect(modes["compare"]?["supported"] as? Bool == true && modes["triggers"]?["supported"] as? Bool == true, "\(orders)")
            #expect(
                modes["change_tracking"]?["supported"] as? Bool == false
                    && (modes["change_tracking"]?["reason"] as? String)?.contains("SQL Server") == true, "\(orders)")

            try await fixture.sync("full", tables: ["orders"])
            try await fixture.expectEqual("orders")
            try await fixture.local(
                "INSERT INTO orders VALUES (500, 1, 1.00, 'new')", "UPDATE orders SET note = 'changed' WHERE id = 2",
                "DELETE FROM orders WHERE id = 3")
            let job = try await fixture.sync("incremental", tables: ["orders"])
            #expect(SyncFixture.results(job)["public.orders"]?["local_to_cloud"] == 3)
            try await fixture.expectEqual("orders")
            let verified = try await fixture.hub.send(.POST, path + "/verify", token: fixture.token, json: ["tables": ["orders"]])
            let verify = try await fixture.waitForJob(try #require(try verified.jsonObject()["job_id"] as? String))
            #expect(verify["status"] as? String == "succeeded", "\(verify)")

            // A row edited on both sides: the site's row wins under latest_wins, the cloud's is on record.
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(20), .integer(21), .decimal("10.00"), .text("cloud")]))])
            try await fixture.local("UPDATE orders SET note = 'site' WHERE id = 20")
            let both = try await fixture.sync("incremental", tables: ["orders"])
            #expect(SyncFixture.results(both)["public.orders"]?["conflicts_detected"] == 1)
            let conflicts = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/conflicts", token: fixture.token)
            let record = try #require((try conflicts.jsonObject()["items"] as? [[String: Any]])?.first)
            #expect((record["cloud"] as? [String: Any])?["note"] as? String == "cloud")
            try await fixture.expectEqual("orders")

            // A row edited in the cloud only: parked under manual, and left alone by the runs after.
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(21), .integer(22), .decimal("10.50"), .text("cloud only")]))])
            let parked = try await fixture.sync("incremental", strategy: "manual", tables: ["orders"])
            #expect(SyncFixture.results(parked)["public.orders"]?["conflicts_open"] == 1)
            try await fixture.sync("incremental", tables: ["orders"])
            let (_, cloud) = try await fixture.bothSides("orders")
            #expect(cloud[[.integer(21)]]?["note"] == .text("cloud only"))

            let continuous = try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["continuous": true])
            #expect(continuous.status == .unprocessableEntity)

            #expect(try await Self.catalog(fixture.localURL) == before, "the site's catalog gains nothing")
        }
    }

    @Test(arguments: HubEngine.available)
    func aWatermarkColumnNarrowsEachRunToTheRowsThatRaisedIt(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            // Row n was last changed a day and n minutes ago.
            try await fixture.local(
                "ALTER TABLE orders ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()",
                "UPDATE orders SET updated_at = now() - interval '1 day' - id * interval '1 minute'")
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            let refused = try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["watermark_column": "updated_at"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("watermark_column"), "\(refused.body.string)")
            let switched = try await fixture.hub.send(
                .PATCH, path, token: fixture.token,
                json: ["capture_mode": "compare", "watermark_column": "updated_at"])
            let watermark = try switched.jsonObject()["watermark_column"] as? String
            #expect(switched.status == .ok && watermark == "updated_at", "\(switched.body.string)")
            let before = try await Self.catalog(fixture.localURL)
            try await fixture.sync("full", tables: ["orders"])
            try await fixture.sync("incremental", tables: ["orders"])  // no mark yet: compares everything, leaves one

            // The mark is row 1's time; runs read from 5 minutes before it, so row 100 is not read again.
            try await fixture.local(
                "UPDATE orders SET note = 'raised', updated_at = now() WHERE id = 50",
                "UPDATE orders SET note = 'silent' WHERE id = 100")
            let narrowed = try await fixture.sync("incremental", tables: ["orders"])
            #expect(SyncFixture.results(narrowed)["public.orders"]?["local_to_cloud"] == 1, "\(narrowed)")
            let cloud = try await fixture.bothSides("orders").cloud
            #expect(cloud[[.integer(50)]]?["note"] == .text("raised") && cloud[[.integer(100)]]?["note"] != .text("silent"))
            #expect(try await Self.catalog(fixture.localURL) == before, "the site's catalog gains nothing")

            let back = try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["capture_mode": "triggers"])
            let dropped = try back.jsonObject()["watermark_column"] is NSNull
            #expect(back.status == .ok && dropped, "leaving compare drops it: \(back.body.string)")
        }
    }

    @Test(arguments: HubEngine.available)
    func bidirectionalRunsTellWhichSideChangedByTheCloudsLog(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            #expect(try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["capture_mode": "compare"]).status == .ok)
            let before = try await Self.catalog(fixture.localURL)
            try await fixture.sync("full", tables: ["orders"])
            let original = try await fixture.bothSides("orders").local
            func row(_ id: Int64, _ note: String) -> RowChange {
                let image = original[[.integer(id)]] ?? [:]
                return .upsert(Row([.integer(id), image["customer_id"] ?? .null, image["total"] ?? .null, .text(note)]))
            }
            // In the cloud only: 30 edited, 33 deleted, 600 added. On the site only: 31 edited. On both: 32.
            try await fixture.cloudWrite(
                "orders",
                [
                    row(30, "cloud"), .delete(key: [.integer(33)]), row(32, "cloud side"),
                    .upsert(Row([.integer(600), .integer(1), .decimal("6.00"), .text("cloud new")])),
                ])
            try await fixture.local("UPDATE orders SET note = 'site' WHERE id = 31", "UPDATE orders SET note = 'site side' WHERE id = 32")
            let job = try await fixture.sync("bidirectional", strategy: "cloud_wins", tables: ["orders"])
            let results = SyncFixture.results(job)["public.orders"]
            #expect(results?["cloud_to_local"] == 4 && results?["local_to_cloud"] == 1, "\(job)")
            #expect(results?["conflicts_detected"] == 1 && results?["conflicts_resolved"] == 1, "row 32, settled for the cloud: \(job)")
            let (site, cloud) = try await fixture.bothSides("orders")
            #expect(site[[.integer(30)]]?["note"] == .text("cloud") && site[[.integer(33)]] == nil && site[[.integer(600)]] != nil)
            #expect(cloud[[.integer(31)]]?["note"] == .text("site") && site[[.integer(32)]]?["note"] == .text("cloud side"))
            try await fixture.expectEqual("orders")

            // Nothing changed since: the next run carries nothing either way.
            let quiet = SyncFixture.results(try await fixture.sync("bidirectional", tables: ["orders"]))["public.orders"]
            #expect(
                quiet?["cloud_to_local"] == 0 && quiet?["local_to_cloud"] == 0 && quiet?["conflicts_detected"] == 0, "\(String(describing: quiet))")
            #expect(try await Self.catalog(fixture.localURL) == before, "the site's catalog gains nothing")
        }
    }

    /// `watermark_column` as an attacker would fill it: too long or with control characters it is refused
    /// naming the field; a name built to break out of its quoting is only ever a quoted identifier (the
    /// table has no such column, so the run compares everything and the site's table is untouched).
    @Test func watermarkNamesAreBoundedAndOnlyEverQuoted() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            for bad in [String(repeating: "w", count: 129), "updated_at\n", "a\u{0}b"] {
                let refused = try await fixture.hub.send(
                    .PATCH, path, token: fixture.token,
                    json: ["capture_mode": "compare", "watermark_column": bad])
                #expect(refused.status == .unprocessableEntity && refused.body.string.contains("watermark_column"), "\(refused.body.string)")
            }
            let hostile = "note\" = '' OR 1=1; DROP TABLE orders; --"
            let accepted = try await fixture.hub.send(
                .PATCH, path, token: fixture.token,
                json: ["capture_mode": "compare", "watermark_column": hostile])
            #expect(accepted.status == .ok, "\(accepted.body.string)")
            try await fixture.sync("full", tables: ["orders"])
            try await fixture.local("UPDATE orders SET note = 'changed' WHERE id = 7")
            let job = try await fixture.sync("incremental", tables: ["orders"])
            #expect(SyncFixture.results(job)["public.orders"]?["local_to_cloud"] == 1, "\(job)")
            #expect(try await fixture.bothSides("orders").local.count == 200, "the site's table is whole")
            try await fixture.expectEqual("orders")
        }
    }
}
