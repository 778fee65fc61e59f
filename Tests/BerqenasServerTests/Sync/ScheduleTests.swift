import BerqenasTestSupport
import FluentKit
import Foundation
import Testing

@testable import BerqenasPlatform
@testable import BerqenasServer

/// Schedules: validation, the next run in status, and missed slots running once.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct ScheduleTests {
    @Test func aScheduleShowsItsNextRunAndRefusesBadInput() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/schedule"
            let both = try await fixture.hub.send(
                .PUT, path, token: fixture.token, json: ["every_minutes": 5, "cron": "* * * * *", "mode": "incremental"])
            #expect(both.status == .unprocessableEntity && both.errorMessage?.hasPrefix("every_minutes") == true)
            let badCron = try await fixture.hub.send(.PUT, path, token: fixture.token, json: ["cron": "61 * * * *", "mode": "incremental"])
            #expect(badCron.status == .unprocessableEntity && badCron.errorMessage?.hasPrefix("cron") == true)
            #expect(try await fixture.hub.send(.GET, path, token: fixture.token).status == .notFound)

            let put = try await fixture.hub.send(.PUT, path, token: fixture.token, json: ["cron": "0 3 * * *", "mode": "bidirectional"])
            #expect(put.status == .ok, "\(put.body.string)")
            let next = try #require(try put.jsonObject()["next_run_at"] as? String)
            #expect(next.hasSuffix("T03:00:00Z"))
            let status = try await fixture.hub.send(
                .GET, "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/status",
                token: fixture.token)
            #expect(try status.jsonObject()["next_run_at"] as? String == next)
            #expect(try await fixture.hub.send(.DELETE, path, token: fixture.token).status == .noContent)
        }
    }

    @Test func slotsMissedWhileTheHubWasDownRunOnce() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let platform = fixture.hub.app.berqenas.platform
            await platform.worker.stop()
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/schedule"
            let put = try await fixture.hub.send(.PUT, path, token: fixture.token, json: ["every_minutes": 10, "mode": "full", "tables": ["orders"]])
            #expect(put.status == .ok)
            // The hub was down for three slots.
            let database = fixture.hub.app.db
            try await SyncSchedule.query(on: database).set(\.$nextRunAt, to: Date().addingTimeInterval(-1800)).update()
            try await platform.schedules.runDue()
            try await platform.schedules.runDue()
            let jobs = try await SyncJob.query(on: database).all()
            #expect(jobs.count == 1 && jobs.first?.requestedBy == "schedule")
            let schedule = try #require(try await SyncSchedule.query(on: database).first())
            #expect((schedule.nextRunAt ?? .distantPast) > Date().addingTimeInterval(500), "the next run counts from now")

            await platform.worker.start()
            let job = try await fixture.waitForJob(try #require(jobs.first?.id?.uuidString))
            #expect(job["status"] as? String == "succeeded", "\(job)")
            try await fixture.expectEqual("orders")
        }
    }
}

/// A suspended tenant runs nothing: no scheduled job is queued, a queued job fails without connecting, and a
/// continuous loop does not start.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct SuspendedTenantTests {
    @Test func aSuspendedTenantsSchedulesJobsAndLoopsStop() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let platform = fixture.hub.app.berqenas.platform
            let database = fixture.hub.app.db
            await platform.worker.stop()
            let base = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            #expect(
                try await fixture.hub.send(.PUT, "\(base)/schedule", token: fixture.token, json: ["every_minutes": 10, "mode": "full"]).status == .ok)
            let queued = try await fixture.hub.send(.POST, "\(base)/sync", token: fixture.token, json: ["mode": "full"])
            let jobID = try #require(try queued.jsonObject()["job_id"] as? String)
            #expect(try await fixture.hub.send(.DELETE, "/api/v1/tenants/\(fixture.tenant)", token: fixture.token).status == .ok, "suspended")

            try await SyncSchedule.query(on: database).set(\.$nextRunAt, to: Date().addingTimeInterval(-60)).update()
            try await platform.schedules.runDue()
            #expect(try await SyncJob.query(on: database).count() == 1, "no scheduled job for a suspended tenant")

            await platform.worker.start()
            let job = try await fixture.waitForJob(jobID)
            #expect(job["status"] as? String == "failed" && (job["error"] as? [String: Any])?["code"] as? String == "tenant_suspended", "\(job)")

            let remote = try #require(try await RemoteDatabase.find(UUID(uuidString: fixture.remoteID), on: database))
            remote.continuous = true
            try await remote.save(on: database)
            await platform.continuousSync.scan()
            let owned = try #require(try await RemoteDatabase.find(UUID(uuidString: fixture.remoteID), on: database))
            #expect(owned.continuousOwner == nil, "no loop leases a suspended tenant's remote")
        }
    }
}
