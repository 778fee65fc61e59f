import BerqenasTestSupport
import Foundation
import Testing

@testable import BerqenasServer

/// Bad sync input gets a clear 4xx (or, once queued, a failed job with a readable error) and changes nothing.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct SyncRequestTests {
    @Test func unknownTablesModesAndStrategiesAreRefusedNamingTheField() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/sync"
            let cases: [([String: any Sendable], String)] = [
                (["mode": "full", "tables": ["public.nope"]], "tables"),
                (["mode": "sideways"], "mode"),
                (["mode": "bidirectional", "conflict_strategy": "loudest_wins"], "conflict_strategy"),
            ]
            for (body, field) in cases {
                let response = try await fixture.hub.send(.POST, path, token: fixture.token, json: body)
                #expect(response.status == .unprocessableEntity, "\(body): \(response.body.string)")
                #expect(response.errorCode == "validation_failed")
                #expect(response.errorMessage?.hasPrefix(field) == true, "\(response.errorMessage ?? "")")
            }
            let jobs = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/sync-jobs", token: fixture.token)
            #expect(try jobs.jsonObject()["total"] as? Int == 0, "nothing was queued")
        }
    }

    @Test func aWrongPasswordAndAnUnreachableRemoteAreReportedNotQueued() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let wrong = PostgresTestCluster.replacingCredentials(in: fixture.localURL, user: "postgres", password: "not-it")
            var parts = try #require(URLComponents(string: wrong))
            let base = "/api/v1/tenants/\(fixture.tenant)/remote-databases"
            let badPassword = try await fixture.hub.send(
                .POST, base, token: fixture.token,
                json: [
                    "name": "wrong-password", "engine": "postgresql", "host": parts.host ?? "", "port": parts.port ?? 0,
                    "database": String(parts.path.dropFirst()), "username": "postgres", "password": "not-it",
                ])
            #expect(badPassword.status == .created)
            #expect(try badPassword.jsonObject()["status"] as? String == "auth_failed")
            #expect(!badPassword.body.string.contains("not-it"), "the password is never returned")

            parts.port = try FreePort.reserveAndRelease()
            let closed = try await fixture.hub.send(
                .POST, base, token: fixture.token,
                json: [
                    "name": "closed-port", "engine": "postgresql", "host": "127.0.0.1", "port": parts.port ?? 0,
                    "database": "x", "username": "u", "password": "p",
                ])
            let closedID = try #require(try closed.jsonObject()["id"] as? String)
            #expect(try closed.jsonObject()["status"] as? String == "unreachable")
            let sync = try await fixture.hub.send(.POST, "\(base)/\(closedID)/sync", token: fixture.token, json: ["mode": "full"])
            #expect(sync.status == .unprocessableEntity)
            #expect(sync.errorCode == "unreachable")
            #expect(sync.errorMessage?.contains("closed-port") == true)
        }
    }

    @Test func aSecondJobWhileOneIsQueuedAnswersConflictWithItsID() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            await fixture.hub.app.berqenas.platform.worker.stop()
            let path = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/sync"
            let first = try await fixture.hub.send(.POST, path, token: fixture.token, json: ["mode": "full"])
            #expect(first.status == .accepted)
            let second = try await fixture.hub.send(.POST, path, token: fixture.token, json: ["mode": "incremental"])
            #expect(second.status == .conflict)
            #expect(second.errorCode == "sync_in_progress")
            let details = try second.jsonObject()["error"] as? [String: Any]
            #expect((details?["details"] as? [String: Any])?["job_id"] as? String == (try first.jsonObject()["job_id"] as? String))

            let id = try #require(try first.jsonObject()["job_id"] as? String)
            let cancelled = try await fixture.hub.send(.POST, "/api/v1/tenants/\(fixture.tenant)/sync-jobs/\(id)/cancel", token: fixture.token)
            #expect(try cancelled.jsonObject()["status"] as? String == "cancelled")
            let third = try await fixture.hub.send(.POST, path, token: fixture.token, json: ["mode": "full"])
            #expect(third.status == .accepted, "a cancelled job no longer blocks")
        }
    }

    @Test func aSecondRemoteCannotWriteATableAnotherOwns() async throws {
        try await SyncFixture.with(.sqlite) { fixture in
            let other = try await SyncFixture.register(
                fixture.hub, token: fixture.token, tenant: fixture.tenant,
                url: fixture.localURL, name: "erp-copy")
            try await fixture.sync("full", tables: ["orders"])
            let clash = try await fixture.hub.send(
                .POST, "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(other)/sync",
                token: fixture.token, json: ["mode": "full", "tables": ["orders"]])
            #expect(clash.status == .conflict)
            #expect(clash.errorCode == "table_owned")
            #expect(clash.errorMessage?.contains("'erp'") == true && clash.errorMessage?.contains("target_prefix") == true)
        }
    }
}

/// Several servers on one PostgreSQL system database share the jobs; each runs once.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct SyncWorkerSharingTests {
    @Test func twoServersRunEachQueuedJobExactlyOnce() async throws {
        let systemURL = try await PostgresTestCluster.makeDatabase(prefix: "shared")
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let tenant = "two_" + UUID().uuidString.prefix(8).lowercased()
        let localURL = try await PostgresTestCluster.makeDatabase(prefix: "local")
        try await SyncFixture.run(localURL, SyncFixture.schema)
        try await TestHub.run(.postgresql(url: systemURL), masterKeyBase64: key) { first in
            try await TestHub.run(.postgresql(url: systemURL), masterKeyBase64: key) { second in
                let token = try await first.token()
                try await first.createTenant(tenant, adminToken: token)
                var jobs: [String] = []
                for index in 0..<6 {
                    let remote = try await SyncFixture.register(
                        first, token: token, tenant: tenant, url: localURL,
                        name: "site-\(index)", prefix: "site\(index)_")
                    let hub = index.isMultiple(of: 2) ? first : second
                    let response = try await hub.send(
                        .POST, "/api/v1/tenants/\(tenant)/remote-databases/\(remote)/sync",
                        token: token, json: ["mode": "full", "tables": ["orders"]])
                    jobs.append(try #require(try response.jsonObject()["job_id"] as? String))
                }
                let fixture = SyncFixture(hub: first, token: token, localURL: localURL, remoteID: "", tenant: tenant)
                for id in jobs {
                    let job = try await fixture.waitForJob(id)
                    #expect(job["status"] as? String == "succeeded", "\(job)")
                    #expect(job["attempts"] as? Int == 1, "ran once")
                    #expect(SyncFixture.results(job)["public.orders"]?["local_to_cloud"] == 200, "one run copied every row")
                }
            }
        }
    }
}
