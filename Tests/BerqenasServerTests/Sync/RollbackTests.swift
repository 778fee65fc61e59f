import BerqenasTestSupport
import DatabaseConnectors
import FluentKit
import Foundation
import Testing

@testable import BerqenasPlatform

/// Rollback of a job past the 100,000 rows the undo journal once kept, and the retention of undo images.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct RollbackTests {
    static func id(of job: [String: Any]) throws -> UUID {
        try #require((job["id"] as? String).flatMap(UUID.init(uuidString:)), "\(job)")
    }

    /// On the PostgreSQL hub only: the SQLite hub keeps undo images the same way (the smaller rollback tests
    /// run on both), and one job of this size is the heaviest thing in the suite.
    @Test func aJobOfMoreThan100000RowsRollsBackAndLeavesLaterEditsAlone() async throws {
        try await SyncFixture.with(.postgresql) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            let original = try await fixture.bothSides("orders").cloud
            // Row 5 changes at the start and at the end of the log: the incremental job (20,000 changes a
            // batch) writes it in its first batch and again in its last.
            try await fixture.local(
                "UPDATE orders SET note = 'first change' WHERE id = 5",
                "INSERT INTO orders SELECT g, 1, 1.00, 'bulk' FROM generate_series(100001, 205000) g",
                "UPDATE orders SET note = 'second change' WHERE id = 9")
            try await fixture.local("UPDATE orders SET note = 'last change' WHERE id = 5")
            let job = try await fixture.sync("incremental", tables: ["orders"])
            #expect(SyncFixture.results(job)["public.orders"]?["local_to_cloud"] == 105_003, "\(job)")
            let jobID = try #require(job["id"] as? String)
            // After the job, someone puts row 5 back to what the job's first batch wrote: the first batch's
            // undo image matches it, but the row was changed since the job and must stay.
            let five = try #require(original[[.integer(5)]])
            try await fixture.cloudWrite(
                "orders",
                [
                    .upsert(
                        Row([
                            .integer(5), five["customer_id"] ?? .null, five["total"] ?? .null,
                            .text("first change"),
                        ]))
                ])

            let rollbackPath = "/api/v1/tenants/\(fixture.tenant)/sync-jobs/\(jobID)/rollback"
            let response = try await fixture.hub.send(.POST, rollbackPath, token: fixture.token)
            #expect(response.status == .accepted, "\(response.body.string)")
            let rollback = try await fixture.waitForJob(try #require(try response.jsonObject()["job_id"] as? String))
            #expect(rollback["status"] as? String == "succeeded", "\(rollback)")
            #expect(rollback["restored"] as? Int == 105_001, "the inserted rows and row 9: \(rollback["restored"] ?? "nil")")
            #expect(rollback["changed_since_count"] as? Int == 1)
            let changed = rollback["changed_since"] as? [[String: Any]] ?? []
            #expect(changed.count == 1 && (changed.first?["key"] as? [Int]) == [5], "\(changed)")

            let cloud = try await fixture.bothSides("orders").cloud
            #expect(cloud.count == original.count, "the 105,000 inserted rows are gone")
            #expect(cloud[[.integer(9)]] == original[[.integer(9)]], "row 9 is as before the job")
            #expect(cloud[[.integer(5)]]?["note"] == .text("first change"), "the later edit stays")
            let others = original.filter { $0.key != [.integer(5)] && cloud[$0.key] != $0.value }
            #expect(others.isEmpty, "rows differ from before the job at \(others.keys.prefix(5))")

            // Rolling the job back twice would judge every row the first rollback restored as changed since.
            let again = try await fixture.hub.send(.POST, rollbackPath, token: fixture.token)
            #expect(again.status == .conflict && again.body.string.contains("already_rolled_back"), "\(again.body.string)")
        }
    }

    @Test(arguments: HubEngine.available)
    func undoImagesOfJobsPastTheRetentionAreDroppedAndTheirRollbackRefused(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            try await fixture.local("UPDATE orders SET note = 'old job' WHERE id = 1")
            let old = try Self.id(of: try await fixture.sync("incremental", tables: ["orders"]))
            try await fixture.local("UPDATE orders SET note = 'recent job' WHERE id = 2")
            let recent = try Self.id(of: try await fixture.sync("incremental", tables: ["orders"]))
            let database = fixture.hub.app.db
            try await SyncJob.query(on: database).filter(\.$id == old).set(\.$finishedAt, to: Date().addingTimeInterval(-8 * 86_400)).update()

            let refused = try await fixture.hub.send(.POST, "/api/v1/tenants/\(fixture.tenant)/sync-jobs/\(old)/rollback", token: fixture.token)
            #expect(refused.status == .conflict && refused.body.string.contains("undo_expired"), "\(refused.body.string)")

            let retention = UndoRetention(days: fixture.hub.configuration.undoRetentionDays)
            #expect(try await retention.prune(on: database) == 1)
            #expect(try await SyncUndoBatch.query(on: database).filter(\.$jobID == old).count() == 0, "the old job's images are gone")
            #expect(try await SyncUndoBatch.query(on: database).filter(\.$jobID == recent).count() > 0, "the recent job's are kept")
        }
    }
}
