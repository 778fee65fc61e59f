import BerqenasTestSupport
import DatabaseConnectors
import FluentKit
import Foundation
import Testing

@testable import BerqenasPlatform

/// Edits made in the tenant's cloud copy (by SQL, or through an auto-API over the tenant store) are
/// never lost: capture starts with the cloud table, a table synced before that is compared first, and a
/// write that would overwrite an edit the logs do not show becomes a conflict.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct CloudEditTests {
    static let strategies = ["latest_wins", "cloud_wins", "local_wins", "manual"]

    /// An API over the tenant store, named `store`.
    static func storeAPI(_ fixture: SyncFixture) async throws {
        let created = try await fixture.hub.send(
            .POST, "/api/v1/tenants/\(fixture.tenant)/apis", token: fixture.token,
            json: [
                "name": "store", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "jwt",
            ])
        #expect(created.status == .created, "\(created.body.string)")
    }

    /// Changes one order's note through the store API.
    static func apiEdit(_ fixture: SyncFixture, id: Int, note: String) async throws {
        let edited = try await fixture.hub.send(
            .PATCH, "/rest/v1/\(fixture.tenant)/store/orders?id=eq.\(id)", token: fixture.token,
            json: ["note": note])
        #expect(edited.status == .noContent || edited.status == .ok, "\(edited.status) \(edited.body.string)")
    }

    static func sqlEdit(_ fixture: SyncFixture, id: Int, note: String) async throws {
        try await fixture.cloudWrite(
            "orders",
            [
                .upsert(
                    Row([
                        .integer(Int64(id)), .integer(Int64(id % 50 + 1)), .decimal("\(id / 2).\(id % 2 == 0 ? "00" : "50")"),
                        .text(note),
                    ]))
            ])
    }

    /// The pending changes the status reports for `orders`.
    static func pending(_ fixture: SyncFixture) async throws -> Int? {
        let status = try await fixture.hub.send(
            .GET, "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/status",
            token: fixture.token)
        let tables = try status.jsonObject()["tables"] as? [[String: Any]] ?? []
        return tables.first { $0["table"] as? String == "public.orders" }?["pending_changes"] as? Int
    }

    @Test(arguments: HubEngine.available, strategies)
    func cloudEditsAfterAFullSyncReachTheSiteUnderEveryStrategy(_ engine: HubEngine, _ strategy: String) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await Self.storeAPI(fixture)
            try await fixture.sync("full", tables: ["orders"])
            try await Self.sqlEdit(fixture, id: 5, note: "cloud sql")
            try await Self.apiEdit(fixture, id: 6, note: "cloud api")

            let job = try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            let result = try #require(SyncFixture.results(job)["public.orders"])
            #expect(result["cloud_to_local"] == 2 && result["local_to_cloud"] == 0 && result["conflicts_detected"] == 0, "\(result)")
            let (local, _) = try await fixture.bothSides("orders")
            #expect(local[[.integer(5)]]?["note"] == .text("cloud sql") && local[[.integer(6)]]?["note"] == .text("cloud api"))
            try await fixture.expectEqual("orders")
            #expect(try await Self.pending(fixture) == 0, "a clean bidirectional run leaves nothing pending")

            // The next site change to those rows travels on top of the cloud's edit.
            try await fixture.local("UPDATE orders SET total = 99 WHERE id IN (5, 6)")
            let next = try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            #expect(SyncFixture.results(next)["public.orders"]?["local_to_cloud"] == 2)
            let (_, cloud) = try await fixture.bothSides("orders")
            #expect(cloud[[.integer(5)]]?["note"] == .text("cloud sql") && cloud[[.integer(6)]]?["total"] == .decimal("99.00"))
            try await fixture.expectEqual("orders")
        }
    }

    @Test(arguments: HubEngine.available, strategies)
    func aRowEditedOnBothSidesIsAConflictUnderEveryStrategy(_ engine: HubEngine, _ strategy: String) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await Self.storeAPI(fixture)
            try await fixture.sync("full", tables: ["orders"])
            try await fixture.local("UPDATE orders SET note = 'site' WHERE id = 7")
            try await Self.apiEdit(fixture, id: 7, note: "cloud")

            let job = try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            let result = try #require(SyncFixture.results(job)["public.orders"])
            #expect(result["conflicts_detected"] == 1, "\(result)")
            let (local, cloud) = try await fixture.bothSides("orders")
            switch strategy {
            case "manual":
                #expect(result["conflicts_open"] == 1)
                #expect(local[[.integer(7)]]?["note"] == .text("site") && cloud[[.integer(7)]]?["note"] == .text("cloud"), "parked")
            default:
                let winner = strategy == "local_wins" ? "site" : "cloud"
                #expect(local[[.integer(7)]]?["note"] == .text(winner) && cloud[[.integer(7)]]?["note"] == .text(winner))
                try await fixture.expectEqual("orders")
            }
        }
    }

    /// A table synced by an earlier version has no cloud capture: its cloud edits happened unseen. The next
    /// job captures it, and the first bidirectional run compares it, so those edits are found.
    @Test(arguments: HubEngine.available, strategies)
    func aTableSyncedBeforeCloudCaptureIsComparedFirst(_ engine: HubEngine, _ strategy: String) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            try await Self.forgetCloudCapture(fixture)
            try await Self.sqlEdit(fixture, id: 5, note: "edited before capture")
            try await fixture.cloudWrite("orders", [.delete(key: [.integer(9)])])
            try await fixture.local("UPDATE orders SET note = 'site' WHERE id = 11")
            try await Self.sqlEdit(fixture, id: 11, note: "cloud too")

            let job = try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            let result = try #require(SyncFixture.results(job)["public.orders"])
            #expect(result["cloud_to_local"] == (strategy == "latest_wins" || strategy == "cloud_wins" ? 3 : 2), "\(result)")
            #expect(result["conflicts_detected"] == 1, "row 11 changed on both sides: \(result)")
            let (local, cloud) = try await fixture.bothSides("orders")
            #expect(local[[.integer(5)]]?["note"] == .text("edited before capture") && local[[.integer(9)]] == nil)
            if strategy == "manual" {
                #expect(local[[.integer(11)]]?["note"] == .text("site") && cloud[[.integer(11)]]?["note"] == .text("cloud too"))
            } else {
                try await fixture.expectEqual("orders")
            }
            let again = try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            #expect(SyncFixture.results(again)["public.orders"]?["cloud_to_local"] == 0, "compared once, then captured")
        }
    }

    /// A one-way run meets a cloud edit of the row it carries: the edit is kept in a conflict's record
    /// (or the cloud's row is kept, with `cloud_wins`), and a later bidirectional run converges.
    @Test(arguments: HubEngine.available, ["latest_wins", "cloud_wins"])
    func anIncrementalRunDoesNotSilentlyOverwriteACloudEdit(_ engine: HubEngine, _ strategy: String) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            try await Self.sqlEdit(fixture, id: 8, note: "cloud")
            try await fixture.local("UPDATE orders SET note = 'site' WHERE id = 8")
            let job = try await fixture.sync("incremental", strategy: strategy, tables: ["orders"])
            #expect(SyncFixture.results(job)["public.orders"]?["conflicts_detected"] == 1)
            let conflicts = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/conflicts", token: fixture.token)
            let record = try #require((try conflicts.jsonObject()["items"] as? [[String: Any]])?.first)
            #expect((record["cloud"] as? [String: Any])?["note"] as? String == "cloud", "the cloud's version is on record")
            let (_, cloud) = try await fixture.bothSides("orders")
            #expect(cloud[[.integer(8)]]?["note"] == .text(strategy == "cloud_wins" ? "cloud" : "site"))

            try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            let (local, after) = try await fixture.bothSides("orders")
            #expect(local[[.integer(8)]]?["note"] == after[[.integer(8)]]?["note"])
            try await fixture.expectEqual("orders")
        }
    }

    /// Puts a table in the state an earlier version left it: no capture on the cloud table, no cloud cursor.
    static func forgetCloudCapture(_ fixture: SyncFixture) async throws {
        try await fixture.withCloud { cloud, schema in try await cloud.uninstallCapture(on: TableRef(schema: schema, name: "orders")) }
        let database = fixture.hub.app.db
        try await SyncCursor.query(on: database).filter(\.$side == .cloud).delete()
    }
}
