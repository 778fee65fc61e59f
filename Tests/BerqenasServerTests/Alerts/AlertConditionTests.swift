import BerqenasTestSupport
import FluentKit
import Foundation
import Testing
import Vapor

@testable import BerqenasPlatform
@testable import BerqenasServer

/// Each condition holds for the subjects it names, from its threshold on, and for no other.
struct AlertConditionTests {
    @Test(arguments: HubEngine.available)
    func eachConditionHoldsFromItsThresholdForItsSubjectsOnly(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let hub = fixture.hub
            let database = hub.app.db
            let conditions = AlertConditions(database: database)
            let tenant = try await hub.app.berqenas.platform.tenants.find(fixture.tenant)
            let tenantID = try tenant.requireID()
            let remoteID = try #require(UUID(uuidString: fixture.remoteID))
            let names = [tenantID: fixture.tenant]
            func subjects(_ condition: AlertCondition, threshold: Int?, at now: Date = Date(), tenant: UUID? = nil) async throws -> [String] {
                let rule = AlertRule()
                rule.id = UUID()
                rule.tenantID = tenant ?? tenantID
                rule.name = "r"
                rule.condition = condition
                rule.threshold = threshold
                rule.channelIDsJSON = "[]"
                rule.enabled = true
                return try await conditions.findings(of: rule, tenants: names, now: now).map(\.subject)
            }

            // A job running for two hours: over 60 minutes, not over 180.
            let job = try await fixture.sync("full")
            let jobID = try #require(UUID(uuidString: job["id"] as? String ?? ""))
            try await SyncJob.query(on: database).filter(\.$id == jobID).set(\.$status, to: .running)
                .set(\.$startedAt, to: Date().addingTimeInterval(-7200)).update()
            #expect(try await subjects(.jobDurationOver, threshold: 60) == ["sync-job:\(jobID)"])
            #expect(try await subjects(.jobDurationOver, threshold: 180).isEmpty)
            try await SyncJob.query(on: database).filter(\.$id == jobID).set(\.$status, to: .succeeded).update()

            // Three open conflicts and a resolved one: over 2, not over 3.
            for status in [ConflictStatus.open, .open, .open, .resolved] {
                let conflict = SyncConflict()
                conflict.tenantID = tenantID
                conflict.remoteDatabaseID = remoteID
                conflict.localTable = "public.orders"
                conflict.cloudTable = "orders"
                conflict.keyJSON = "[\(Int.random(in: 1...1_000_000))]"
                conflict.localCapturedAt = ""
                conflict.cloudCapturedAt = ""
                conflict.status = status
                try await conflict.create(on: database)
            }
            #expect(try await subjects(.conflictsOpenOver, threshold: 2) == ["remote-database:\(remoteID)"])
            #expect(try await subjects(.conflictsOpenOver, threshold: 3).isEmpty)

            // A remote failing for ten minutes: over 5, not over 15; answering again: none.
            let remote = try #require(try await RemoteDatabase.find(remoteID, on: database))
            // Answering first: a failure already on record (its registration test timed out on a loaded
            // machine) would keep its own, later, start.
            try await hub.app.berqenas.platform.remoteDatabases.recordReachability(of: remote, failure: nil)
            try await hub.app.berqenas.platform.remoteDatabases.recordReachability(
                of: remote, failure: .init(.unreachable, "refused"), now: Date().addingTimeInterval(-600))
            #expect(try await subjects(.remoteUnreachableFor, threshold: 5) == ["remote-database:\(remoteID)"])
            #expect(try await subjects(.remoteUnreachableFor, threshold: 15).isEmpty)
            try await hub.app.berqenas.platform.remoteDatabases.recordReachability(of: remote, failure: nil)
            #expect(try await subjects(.remoteUnreachableFor, threshold: 0).isEmpty)

            // A peer that never connected, seen ten minutes after it was added; then with a fresh handshake.
            #expect(try await hub.send(.PUT, "/api/v1/tenants/\(fixture.tenant)/vpn", token: fixture.token, json: ["enabled": true]).status == .ok)
            let peer = try await hub.send(.POST, "/api/v1/tenants/\(fixture.tenant)/vpn/peers", token: fixture.token, json: ["name": "store"])
                .jsonObject()
            let peerID = try #require(UUID(uuidString: peer["id"] as? String ?? ""))
            let later = Date().addingTimeInterval(600)
            #expect(try await subjects(.peerDisconnectedFor, threshold: 5, at: later) == ["vpn-peer:\(peerID)"])
            #expect(try await subjects(.peerDisconnectedFor, threshold: 15, at: later).isEmpty)
            try await VPNPeer.query(on: database).filter(\.$id == peerID).set(\.$latestHandshake, to: later).update()
            #expect(try await subjects(.peerDisconnectedFor, threshold: 0, at: later).isEmpty)

            // Another tenant's rule sees none of it; a platform rule (no tenant) sees it all.
            #expect(try await subjects(.conflictsOpenOver, threshold: 0, tenant: UUID()).isEmpty)
            let platformRule = AlertRule()
            platformRule.id = UUID()
            platformRule.name = "everyone"
            platformRule.condition = .conflictsOpenOver
            platformRule.threshold = 0
            platformRule.channelIDsJSON = "[]"
            platformRule.enabled = true
            let everywhere = try await conditions.findings(of: platformRule, tenants: names, now: Date()).map(\.subject)
            #expect(everywhere.contains("remote-database:\(remoteID)"))
        }
    }
}
