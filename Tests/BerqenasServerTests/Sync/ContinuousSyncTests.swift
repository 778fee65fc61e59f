import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

@testable import BerqenasServer

/// Continuous mode: a remote database kept in step as changes commit, without jobs.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct ContinuousSyncTests {
    @Test(arguments: HubEngine.available)
    func changesTravelAsTheyCommitBothWaysUntilSwitchedOff(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            let on = try await fixture.hub.send(
                .PATCH, path, token: fixture.token,
                json: ["continuous": true, "continuous_mode": "bidirectional", "poll_interval_ms": 200])
            #expect(on.status == .ok, "\(on.body.string)")

            try await fixture.local("INSERT INTO orders VALUES (700, 1, 7.00, 'live')", "DELETE FROM orders WHERE id = 1")
            try await eventually("the local insert and delete reach the cloud") {
                let cloud = try await fixture.bothSides("orders").cloud
                return cloud[[.integer(700)]] != nil && cloud[[.integer(1)]] == nil
            }
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(701), .integer(2), .decimal("7.01"), .text("from cloud")]))])
            try await eventually("the cloud insert reaches the local side") {
                try await fixture.bothSides("orders").local[[.integer(701)]] != nil
            }
            try await fixture.expectEqual("orders")
            let jobs = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/sync-jobs", token: fixture.token)
            #expect(try jobs.jsonObject()["total"] as? Int == 1, "continuous sync runs without jobs")

            let off = try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["continuous": false])
            #expect(off.status == .ok)
        }
    }

    /// PostgreSQL wakes the loop by NOTIFY. The poll interval is an hour, cut to a third of the 300 s lease:
    /// a loop that missed a notification would read again only after 100 s, so each change arriving within
    /// 60 s, and no wait of a whole poll interval ending by its timer meanwhile, shows the loop was woken
    /// every time; so do changes committed while the loop is busy with earlier ones. (The bound is not a
    /// latency target: under the full parallel suite on two cores one empty pass of the loop was measured
    /// at up to 12 s, each round trip to the test cluster taking a second.)
    @Test(arguments: HubEngine.available)
    func aPostgresLocalSideWakesTheLoopWithoutPolling(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine, leaseSeconds: 300) { fixture in
            let continuous = fixture.hub.app.berqenas.platform.continuousSync
            try await fixture.sync("full", tables: ["orders"])
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)"
            let on = try await fixture.hub.send(
                .PATCH, path, token: fixture.token,
                json: ["continuous": true, "continuous_mode": "incremental", "poll_interval_ms": 3_600_000])
            #expect(on.status == .ok, "\(on.body.string)")
            try await fixture.local("INSERT INTO orders VALUES (800, 1, 8.00, 'first')")
            try await fixture.eventuallyInCloud(
                "orders", key: 800, "the loop has started: a first change reaches the cloud",
                timeout: .seconds(60))
            let polled = await continuous.pollIntervalsElapsed
            for round in 1...3 {
                try await fixture.local("INSERT INTO orders VALUES (\(800 + round), 1, 8.00, 'woken')")
                try await fixture.eventuallyInCloud(
                    "orders", key: Int64(800 + round), "insert \(round) reaches the cloud", timeout: .seconds(60))
            }
            let burst = (810..<860).map { "INSERT INTO orders VALUES (\($0), 1, 8.10, 'burst')" }
            for statement in burst { try await fixture.local(statement) }
            try await fixture.eventuallyInCloud("orders", key: 859, "a burst reaches the cloud", timeout: .seconds(60))
            #expect(await continuous.pollIntervalsElapsed == polled, "every change was carried on its notification")
            try await fixture.expectEqual("orders")
            let off = try await fixture.hub.send(.PATCH, path, token: fixture.token, json: ["continuous": false])
            #expect(off.status == .ok)
            let status = try await fixture.hub.send(.GET, path + "/status", token: fixture.token)
            #expect(try status.jsonObject()["continuous"] as? Bool == false)
        }
    }
}
