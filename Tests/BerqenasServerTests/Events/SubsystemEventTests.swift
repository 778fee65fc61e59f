import BerqenasPlatform
import BerqenasTestSupport
import DatabaseConnectors
import FluentKit
import Foundation
import Testing

@testable import BerqenasServer

/// Every subsystem speaks through the one event log: sync jobs from queued to their end, conflicts, remote
/// databases, APIs and tenants, each event with its tenant, subject and a data object naming what it is about.
struct SubsystemEventTests {
    static func events(_ hub: TestHub, _ tenant: String, _ token: String, kind: String) async throws -> [[String: Any]] {
        let page = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/events?kind=\(kind)&limit=1000", token: token).jsonObject()
        return try #require(page["items"] as? [[String: Any]], "\(page)")
    }

    static func data(_ event: [String: Any]) -> [String: Any] { event["data"] as? [String: Any] ?? [:] }

    @Test(arguments: HubEngine.available)
    func aSyncJobIsQueuedStartedProgressesAndSucceeds(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let job = try await fixture.sync("full")
            let id = try #require(job["id"] as? String)
            let events = try await Self.events(fixture.hub, fixture.tenant, fixture.token, kind: "sync.job.")
            let kinds = events.map { $0["kind"] as? String ?? "" }
            #expect(kinds.first == "sync.job.queued" && kinds.dropFirst().first == "sync.job.started", "\(kinds)")
            #expect(kinds.last == "sync.job.succeeded" && kinds.contains("sync.job.progress"), "\(kinds)")
            #expect(Set(kinds.dropFirst(2).dropLast()) == ["sync.job.progress"], "only progress between start and end: \(kinds)")
            #expect(events.allSatisfy { Self.data($0)["job_id"] as? String == id && $0["subject"] as? String == "sync-job:\(id)" })
            #expect(
                events.allSatisfy { Self.data($0)["remote_database_id"] as? String == fixture.remoteID && $0["tenant"] as? String == fixture.tenant })
            let copied = SyncFixture.results(job).values.reduce(0) { $0 + ($1["local_to_cloud"] ?? 0) }
            let succeeded = try #require(events.last)
            #expect(copied == 250 && Self.data(succeeded)["local_to_cloud"] as? Int == copied)
            let numbers = events.compactMap { $0["id"] as? Int }
            #expect(numbers == numbers.sorted())
            try await fixture.expectEqual("customers")
            try await fixture.expectEqual("orders")
        }
    }

    @Test(arguments: HubEngine.available)
    func aFailedJobSaysWhyAndParkedConflictsAreCountedThenResolved(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("bidirectional", tables: ["orders"])
            // A cloud edit a verify without repair finds: the job fails, saying the sides differ.
            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(9), .integer(1), .decimal("1.00"), .text("cloud only")]))])
            let verify = try await fixture.sync("verify", tables: ["orders"], expect: "failed")
            let failed = try await Self.events(fixture.hub, fixture.tenant, fixture.token, kind: "sync.job.failed")
            let failure = try #require(failed.last)
            #expect(Self.data(failure)["job_id"] as? String == verify["id"] as? String)
            #expect(Self.data(failure)["error_code"] as? String == "sides_differ", "\(failure)")
            #expect((failure["message"] as? String)?.contains("differ") == true)

            try await fixture.local("UPDATE orders SET note = 'local' WHERE id = 9")
            try await fixture.sync("bidirectional", strategy: "manual", tables: ["orders"])
            let opened = try await Self.events(fixture.hub, fixture.tenant, fixture.token, kind: "sync.conflict.opened")
            #expect(opened.count == 1 && Self.data(opened[0])["count"] as? Int == 1, "\(opened)")
            #expect(Self.data(opened[0])["table"] as? String == "public.orders")

            let open = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/conflicts?status=open", token: fixture.token)
            let conflict = try #require((try open.jsonObject()["items"] as? [[String: Any]])?.first)
            let conflictID = try #require(conflict["id"] as? String)
            let resolved = try await fixture.hub.send(
                .POST, "/api/v1/tenants/\(fixture.tenant)/conflicts/\(conflictID)/resolve", token: fixture.token, json: ["winner": "local"])
            #expect(resolved.status == .ok, "\(resolved.body.string)")
            let told = try await Self.events(fixture.hub, fixture.tenant, fixture.token, kind: "sync.conflict.resolved")
            #expect(told.count == 1, "\(told)")
            #expect(Self.data(try #require(told.first))["conflict_id"] as? String == conflictID && Self.data(told[0])["winner"] as? String == "local")
            try await fixture.expectEqual("orders")
        }
    }

    @Test(arguments: HubEngine.available)
    func tenantsAPIsAndRemoteReachabilityAreEvents(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let hub = fixture.hub
            let created = try await Self.events(hub, fixture.tenant, fixture.token, kind: "tenant.")
            #expect(created.map { $0["kind"] as? String } == ["tenant.created"])

            let api = try await hub.send(
                .POST, "/api/v1/tenants/\(fixture.tenant)/apis", token: fixture.token,
                json: ["name": "shop", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "api_key"])
            #expect(api.status == .created, "\(api.body.string)")
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(fixture.tenant)/apis/shop", token: fixture.token).status == .noContent)
            let apiEvents = try await Self.events(hub, fixture.tenant, fixture.token, kind: "api.")
            #expect(apiEvents.map { Self.data($0)["action"] as? String } == ["created", "deleted"])
            #expect(apiEvents.allSatisfy { Self.data($0)["api"] as? String == "shop" })

            // A remote database whose login is refused, then allowed again: one event each way.
            let role = "r_" + UUID().uuidString.prefix(8).lowercased()
            let parts = try #require(URLComponents(string: fixture.localURL))
            let database = String(parts.path.dropFirst())
            try await fixture.local("CREATE ROLE \(role) LOGIN PASSWORD 'pw-\(role)'", "GRANT CONNECT ON DATABASE \(database) TO \(role)")
            let url = "postgres://\(role):pw-\(role)@\(parts.host ?? ""):\(parts.port ?? 5432)/\(database)"
            let remote = try await SyncFixture.register(hub, token: fixture.token, tenant: fixture.tenant, url: url, name: "crm")
            let test = "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(remote)/test"
            try await fixture.local("ALTER ROLE \(role) NOLOGIN")
            let down = try await hub.send(.POST, test, token: fixture.token)
            #expect(down.status == .unprocessableEntity, "\(down.body.string)")
            #expect(try await hub.send(.POST, test, token: fixture.token).status == .unprocessableEntity, "still down: no second event")
            try await fixture.local("ALTER ROLE \(role) LOGIN")
            #expect(try await hub.send(.POST, test, token: fixture.token).status == .ok)
            let reach = try await Self.events(hub, fixture.tenant, fixture.token, kind: "remote_database.")
            #expect(
                reach.map { $0["kind"] as? String } == ["remote_database.unreachable", "remote_database.reachable"], "\(reach) \(down.body.string)")
            #expect(reach.allSatisfy { Self.data($0)["remote_database_id"] as? String == remote })

            // Suspension is the tenant's event; deletion, with the tenant's events gone, the platform's (admins only).
            let viewer = try await hub.createUser("v_\(role)", role: "tenant_admin", tenant: fixture.tenant, token: fixture.token)
            #expect(try await hub.send(.GET, "/api/v1/events", token: viewer).status == .forbidden)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(fixture.tenant)", token: fixture.token).status == .ok)
            let suspended = try await Self.events(hub, fixture.tenant, fixture.token, kind: "tenant.suspended")
            #expect(suspended.count == 1)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(fixture.tenant)?permanent=true", token: fixture.token).status == .noContent)
            let platform = try await hub.send(.GET, "/api/v1/events?kind=tenant.", token: fixture.token).jsonObject()
            let deleted = try #require((platform["items"] as? [[String: Any]])?.last)
            #expect(deleted["kind"] as? String == "tenant.deleted" && Self.data(deleted)["tenant"] as? String == fixture.tenant)
            #expect(deleted["tenant"] is NSNull, "a platform event has no tenant")
            let started = try await hub.send(.GET, "/api/v1/events?kind=hub.", token: fixture.token).jsonObject()
            #expect((started["items"] as? [[String: Any]])?.isEmpty == false, "the hub said it started")
        }
    }

    /// Events are committed in the order of their numbers, so a follower that read up to N never finds a
    /// smaller number later, with writers racing.
    @Test(arguments: HubEngine.available)
    func concurrentWritersNeverLeaveAFollowerBehind(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let log = hub.app.berqenas.platform.events
            let start = try await log.lastNumber()
            let writers = 4
            let each = 60
            let seen = try await withThrowingTaskGroup(of: [Int].self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<each {
                            try await log.record(.hubStarted, tenant: nil, subject: "test:\(writer)", message: "event \(index)")
                        }
                        return []
                    }
                }
                group.addTask {
                    var after = start
                    var seen: [Int] = []
                    while seen.count < writers * each {
                        let page = try await log.events(after: after, limit: 500).compactMap(\.id)
                        seen += page
                        after = page.last ?? after
                        if page.isEmpty { await Task.yield() }
                    }
                    return seen
                }
                var all: [Int] = []
                for try await part in group { all += part }
                return all
            }
            let written = try await log.events(after: start, limit: 1000).compactMap(\.id)
            #expect(written.count == writers * each)
            #expect(seen == written, "the follower saw every event, in order, once")
        }
    }

    @Test func oldEventsArePrunedAndNewOnesKept() async throws {
        try await TestHub.run(.sqlite) { hub in
            let platform = hub.app.berqenas.platform
            let old = try await platform.events.record(.hubStarted, tenant: nil, subject: "test:old", message: "old")
            let recent = try await platform.events.record(.hubStarted, tenant: nil, subject: "test:recent", message: "recent")
            let days = platform.eventRetention.days
            try await PlatformEvent.query(on: hub.app.db).filter(\.$id == old)
                .set(\.$occurredAt, to: Date().addingTimeInterval(-Double(days) * 86_400 - 60)).update()
            let pruned = await platform.eventRetention.prune()
            #expect(pruned >= 1)
            let left = try await PlatformEvent.query(on: hub.app.db).all().compactMap(\.id)
            #expect(!left.contains(old) && left.contains(recent))
        }
    }
}
