import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasServer

/// The sync engine's guarantees, against a real PostgreSQL local side and both cloud modes.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct SyncGuaranteeTests {
    @Test(arguments: HubEngine.available)
    func aFullSyncMakesEveryTableEqual(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let job = try await fixture.sync("full")
            let results = SyncFixture.results(job)
            #expect(results["public.customers"]?["local_to_cloud"] == 50)
            #expect(results["public.orders"]?["local_to_cloud"] == 200)
            try await fixture.expectEqual("customers")
            try await fixture.expectEqual("orders")

            // A cloud row nobody has locally, and a changed one: the next full sync puts them right.
            try await fixture.cloudWrite(
                "orders",
                [
                    .upsert(Row([.integer(999), .integer(1), .decimal("1.00"), .null])),
                    .upsert(Row([.integer(1), .integer(2), .decimal("0.50"), .text("changed")])),
                ])
            let again = try await fixture.sync("full", tables: ["orders"])
            #expect(SyncFixture.results(again)["public.orders"]?["local_to_cloud"] == 2)
            try await fixture.expectEqual("orders")
        }
    }

    @Test(arguments: HubEngine.available)
    func insertsUpdatesDeletesAndKeyUpdatesTravelLocalToCloud(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full")
            try await fixture.local(
                "INSERT INTO orders VALUES (201, 1, 9.99, 'new')",
                "UPDATE orders SET note = 'updated', total = 0.01 WHERE id = 2",
                "DELETE FROM orders WHERE id = 3",
                "UPDATE orders SET id = 1000 WHERE id = 4",
                "UPDATE customers SET tags = ARRAY['x', NULL, 'y'] WHERE id = 7"
            )
            let job = try await fixture.sync("incremental")
            #expect(SyncFixture.results(job)["public.orders"]?["local_to_cloud"] == 5, "insert, update, delete, key update (2)")
            try await fixture.expectEqual("orders")
            try await fixture.expectEqual("customers")
        }
    }

    @Test(arguments: HubEngine.available)
    func bidirectionalCarriesBothWaysAndThenHasNothingToDo(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("bidirectional")
            try await fixture.local("INSERT INTO orders VALUES (300, 1, 3.00, 'from local')", "DELETE FROM orders WHERE id = 10")
            try await fixture.cloudWrite(
                "orders",
                [
                    .upsert(Row([.integer(301), .integer(2), .decimal("4.00"), .text("from cloud")])),
                    .delete(key: [.integer(11)]),
                    .upsert(Row([.integer(12), .integer(12), .decimal("6.00"), .text("cloud edit")])),
                ])
            let job = try await fixture.sync("bidirectional")
            let result = try #require(SyncFixture.results(job)["public.orders"])
            #expect(result["local_to_cloud"] == 2 && result["cloud_to_local"] == 3, "\(result)")
            #expect(result["conflicts_detected"] == 0)
            try await fixture.expectEqual("orders")

            // No echo: what the last run wrote is not carried back.
            let quiet = try await fixture.sync("bidirectional")
            for (_, counts) in SyncFixture.results(quiet) {
                #expect(counts["local_to_cloud"] == 0 && counts["cloud_to_local"] == 0, "\(counts)")
            }
        }
    }

    @Test(arguments: HubEngine.available, [("latest_wins", "cloud"), ("cloud_wins", "cloud"), ("local_wins", "local")])
    func eachStrategySettlesARowChangedOnBothSides(_ engine: HubEngine, _ choice: (String, String)) async throws {
        let (strategy, winner) = choice
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("bidirectional", tables: ["orders"])
            try await fixture.local("UPDATE orders SET note = 'local says' WHERE id = 5")
            // The cloud edit is captured later than the local one: latest_wins picks the cloud.
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(5), .integer(6), .decimal("2.50"), .text("cloud says")]))])
            let job = try await fixture.sync("bidirectional", strategy: strategy, tables: ["orders"])
            let result = try #require(SyncFixture.results(job)["public.orders"])
            #expect(result["conflicts_detected"] == 1 && result["conflicts_resolved"] == 1 && result["conflicts_open"] == 0)
            let (local, cloud) = try await fixture.bothSides("orders")
            let expected: CanonicalValue = .text(winner == "cloud" ? "cloud says" : "local says")
            #expect(local[[.integer(5)]]?["note"] == expected && cloud[[.integer(5)]]?["note"] == expected)
            try await fixture.expectEqual("orders")
            let conflicts = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/conflicts?status=resolved", token: fixture.token)
            let items = try conflicts.jsonObject()["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1 && items.first?["winner"] as? String == winner)
        }
    }

    @Test(arguments: HubEngine.available)
    func manualParksOnlyTheConflictingRowUntilResolved(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("bidirectional", tables: ["orders"])
            try await fixture.local("UPDATE orders SET note = 'local' WHERE id = 5", "UPDATE orders SET note = 'only local' WHERE id = 6")
            try await fixture.cloudWrite(
                "orders",
                [
                    .upsert(Row([.integer(5), .integer(6), .decimal("2.50"), .text("cloud")])),
                    .upsert(Row([.integer(7), .integer(8), .decimal("3.50"), .text("only cloud")])),
                ])
            // The same change on both sides is no conflict.
            try await fixture.local("UPDATE orders SET note = 'same' WHERE id = 8")
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(8), .integer(9), .decimal("4.00"), .text("same")]))])

            let job = try await fixture.sync("bidirectional", strategy: "manual", tables: ["orders"])
            let result = try #require(SyncFixture.results(job)["public.orders"])
            #expect(result["conflicts_detected"] == 1 && result["conflicts_open"] == 1, "\(result)")
            let (local, cloud) = try await fixture.bothSides("orders")
            #expect(local[[.integer(5)]]?["note"] == .text("local") && cloud[[.integer(5)]]?["note"] == .text("cloud"), "parked")
            #expect(cloud[[.integer(6)]]?["note"] == .text("only local") && local[[.integer(7)]]?["note"] == .text("only cloud"))

            let open = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/conflicts?status=open", token: fixture.token)
            let conflict = try #require((try open.jsonObject()["items"] as? [[String: Any]])?.first)
            #expect((conflict["local"] as? [String: Any])?["note"] as? String == "local")
            #expect((conflict["cloud"] as? [String: Any])?["note"] as? String == "cloud")
            #expect((conflict["base"] as? [String: Any])?["note"] as? String == "note 5")
            // Values show in the JSON form the generated APIs use (docs/types.md): a decimal is a number.
            #expect((conflict["cloud"] as? [String: Any])?["total"] as? Double == 2.5, "\(conflict)")
            #expect(conflict["key"] as? [Int] == [5])
            let id = try #require(conflict["id"] as? String)

            let resolved = try await fixture.hub.send(
                .POST, "/api/v1/tenants/\(fixture.tenant)/conflicts/\(id)/resolve", token: fixture.token,
                json: ["winner": "custom", "row": ["id": 5, "customer_id": 6, "total": "9.00", "note": "agreed"] as [String: any Sendable]])
            #expect(resolved.status == .ok, "\(resolved.body.string)")
            #expect(try resolved.jsonObject()["resolved_by"] as? String == "admin")
            let after = try await fixture.bothSides("orders")
            #expect(after.local[[.integer(5)]]?["note"] == .text("agreed") && after.cloud[[.integer(5)]]?["note"] == .text("agreed"))
            try await fixture.expectEqual("orders")
        }
    }

    @Test(arguments: HubEngine.available)
    func aDryRunChangesNothingAndReportsWhatTheRealRunDoes(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let planned = try await fixture.sync("full", dryRun: true)
            let cloudTables = try await fixture.withCloud { cloud, schema in try await cloud.listTables(schema: schema) }
            #expect(cloudTables.filter { !$0.name.hasPrefix("_berqenas") }.isEmpty, "a dry run creates no table")
            let real = try await fixture.sync("full")
            #expect(SyncFixture.results(planned) == SyncFixture.results(real))

            try await fixture.sync("bidirectional", tables: ["orders"])
            try await fixture.local("UPDATE orders SET note = 'l' WHERE id < 4")
            try await fixture.cloudWrite("orders", [.delete(key: [.integer(50)])])
            let before = try await fixture.bothSides("orders")
            let dry = try await fixture.sync("bidirectional", tables: ["orders"], dryRun: true)
            let unchanged = try await fixture.bothSides("orders")
            #expect(unchanged.local == before.local && unchanged.cloud == before.cloud, "nothing written anywhere")
            let wet = try await fixture.sync("bidirectional", tables: ["orders"])
            #expect(SyncFixture.results(dry) == SyncFixture.results(wet))
            #expect(SyncFixture.results(wet)["public.orders"]?["local_to_cloud"] == 3)
            #expect(SyncFixture.results(wet)["public.orders"]?["cloud_to_local"] == 1)
        }
    }

    @Test(arguments: HubEngine.available)
    func rollbackRestoresTheRowsNobodyChangedSince(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            let original = try await fixture.bothSides("orders").cloud
            try await fixture.local(
                "UPDATE orders SET note = 'wrong' WHERE id IN (1, 2, 3)", "DELETE FROM orders WHERE id = 9",
                "INSERT INTO orders VALUES (500, 1, 1.00, 'new')")
            let job = try await fixture.sync("incremental", tables: ["orders"])
            let jobID = try #require(job["id"] as? String)
            // Someone edits one of the rows in the cloud after the job: rollback leaves it alone.
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(3), .integer(4), .decimal("1.50"), .text("edited since")]))])

            let response = try await fixture.hub.send(.POST, "/api/v1/tenants/\(fixture.tenant)/sync-jobs/\(jobID)/rollback", token: fixture.token)
            #expect(response.status == .accepted, "\(response.body.string)")
            let rollback = try await fixture.waitForJob(try #require(try response.jsonObject()["job_id"] as? String))
            #expect(rollback["status"] as? String == "succeeded", "\(rollback)")
            #expect(rollback["restored"] as? Int == 4)
            let changed = rollback["changed_since"] as? [[String: Any]] ?? []
            #expect(changed.count == 1 && (changed.first?["key"] as? [Int]) == [3])
            let cloud = try await fixture.bothSides("orders").cloud
            for id: Int64 in [1, 2, 9] { #expect(cloud[[.integer(id)]] == original[[.integer(id)]], "row \(id) restored") }
            #expect(cloud[[.integer(500)]] == nil, "the inserted row is gone")
            #expect(cloud[[.integer(3)]]?["note"] == .text("edited since"))
        }
    }

    @Test(arguments: HubEngine.available)
    func nothingIsLostWithAWriterRunningDuringTheJob(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.local("INSERT INTO orders SELECT g, 1, 1.00, 'bulk' FROM generate_series(1000, 6000) g")
            let writer = Task {
                for id in 7000..<7150 {
                    try await fixture.local(
                        "INSERT INTO orders VALUES (\(id), 2, 2.00, 'during')", "UPDATE orders SET note = 'touched' WHERE id = \(id - 6000)")
                }
            }
            try await fixture.sync("full", tables: ["orders"])
            try await writer.value
            try await fixture.sync("incremental", tables: ["orders"])
            try await fixture.expectEqual("orders")
        }
    }
}
