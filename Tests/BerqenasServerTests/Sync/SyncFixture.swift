import BerqenasPlatform
import BerqenasSync
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Logging
import PostgresNIO
import Testing
import Vapor

@testable import BerqenasServer

/// A hub (cloud side: the tenant `shop`'s store, SQLite or PostgreSQL by the hub's engine) and a real
/// PostgreSQL database as the tenant's on-premise side, registered as a remote database.
struct SyncFixture: Sendable {
    let hub: TestHub
    let token: String
    let localURL: String
    let remoteID: String
    /// The tenant's name: unique per fixture, since PostgreSQL roles are shared by the whole test cluster.
    let tenant: String

    static let schema = [
        "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, balance numeric(12,2), joined timestamptz, tags text[])",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, total numeric(10,2), note text)",
        """
        INSERT INTO customers SELECT g, 'customer ' || g, g * 1.25, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 hour 1 microsecond',
               ARRAY['t' || g, NULL] FROM generate_series(1, 50) g
        """,
        "INSERT INTO orders SELECT g, g % 50 + 1, g * 0.5, CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END FROM generate_series(1, 200) g",
    ]

    /// Runs `body` with a fresh hub of `engine`, tenant `shop`, and a registered local PostgreSQL database;
    /// `leaseSeconds` sets the hub's job (and continuous-sync) lease.
    static func with(_ engine: HubEngine, leaseSeconds: TimeInterval? = nil, _ body: (SyncFixture) async throws -> Void) async throws {
        let localURL = try await PostgresTestCluster.makeDatabase(prefix: "local")
        try await run(localURL, schema)
        let tenant = "shop_" + UUID().uuidString.prefix(8).lowercased()
        try await TestHub.run(
            try await engine.makeMode(), adjust: { if let leaseSeconds { $0.jobLeaseSeconds = leaseSeconds } }
        ) { hub in
            let token = try await hub.token()
            try await hub.createTenant(tenant, adminToken: token)
            let remoteID = try await register(hub, token: token, tenant: tenant, url: localURL, name: "erp")
            try await body(SyncFixture(hub: hub, token: token, localURL: localURL, remoteID: remoteID, tenant: tenant))
        }
    }

    /// Registers a PostgreSQL database by URL and returns its id.
    static func register(
        _ hub: TestHub, token: String, tenant: String, url: String, name: String,
        prefix: String? = nil
    ) async throws -> String {
        let parts = try #require(URLComponents(string: url))
        var body: [String: any Sendable] = [
            "name": name, "engine": "postgresql", "host": parts.host ?? "", "port": parts.port ?? 5432,
            "database": String(parts.path.dropFirst()), "username": parts.user ?? "", "password": parts.password ?? "",
        ]
        if let prefix { body["target_prefix"] = prefix }
        let response = try await hub.send(.POST, "/api/v1/tenants/\(tenant)/remote-databases", token: token, json: body)
        #expect(response.status == .created, "\(response.body.string)")
        let json = try response.jsonObject()
        #expect(json["status"] as? String == "ok", "\(json)")
        return try #require(json["id"] as? String)
    }

    /// Runs statements on the local database, on one connection, in order.
    static func run(_ url: String, _ statements: [String]) async throws {
        try await PostgresTestCluster.withConnection(url) { connection in
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "tests"))
            }
        }
    }

    func local(_ statements: String...) async throws {
        try await Self.run(localURL, statements)
    }

    /// Queues a job and waits for it to end; returns the job as JSON.
    @discardableResult
    func sync(
        _ mode: String, strategy: String? = nil, tables: [String]? = nil, dryRun: Bool = false,
        expect: String = "succeeded"
    ) async throws -> [String: Any] {
        var body: [String: any Sendable] = ["mode": mode, "dry_run": dryRun]
        if let strategy { body["conflict_strategy"] = strategy }
        if let tables { body["tables"] = tables }
        let response = try await hub.send(.POST, "/api/v1/tenants/\(tenant)/remote-databases/\(remoteID)/sync", token: token, json: body)
        guard response.status == .accepted else {
            throw TestSupportError("sync answered \(response.status): \(response.body.string)")
        }
        let id = try #require(try response.jsonObject()["job_id"] as? String)
        let job = try await waitForJob(id)
        #expect(job["status"] as? String == expect, "\(job)")
        return job
    }

    /// Polls a job until it reaches a final state (a deadline, not a fixed sleep).
    func waitForJob(_ id: String, timeout: Duration = .seconds(120)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let response = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/sync-jobs/\(id)", token: token)
            let job = try response.jsonObject()
            if let status = job["status"] as? String, ["succeeded", "failed", "cancelled"].contains(status) { return job }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("job \(id) did not finish within \(timeout)")
    }

    /// The per-table results of a job, by local table name.
    static func results(_ job: [String: Any]) -> [String: [String: Int]] {
        var byTable: [String: [String: Int]] = [:]
        for result in job["results"] as? [[String: Any]] ?? [] {
            byTable[result["table"] as? String ?? ""] = result.compactMapValues { $0 as? Int }
        }
        return byTable
    }

    /// Every row of a local table and of its cloud copy, by key.
    func bothSides(_ table: String) async throws -> (local: [RowKey: RowImage], cloud: [RowKey: RowImage]) {
        let local = try PostgresConnector(spec: try PostgresTestCluster.connectionSpec(localURL))
        let platform = hub.app.berqenas.platform
        let tenant = try await platform.tenants.find(tenant)
        let (cloud, schema) = try await platform.remoteDatabases.cloudConnector(for: tenant)
        do {
            let localRows = try await Self.images(local, TableRef(schema: "public", name: table))
            let cloudRows = try await Self.images(cloud, TableRef(schema: schema, name: table))
            await local.close()
            await cloud.close()
            return (localRows, cloudRows)
        } catch {
            await local.close()
            await cloud.close()
            throw error
        }
    }

    /// Runs `body` on the cloud store's connector.
    func withCloud<T: Sendable>(_ body: (any DatabaseConnector, String) async throws -> T) async throws -> T {
        let platform = hub.app.berqenas.platform
        let tenant = try await platform.tenants.find(tenant)
        let (cloud, schema) = try await platform.remoteDatabases.cloudConnector(for: tenant)
        do {
            let result = try await body(cloud, schema)
            await cloud.close()
            return result
        } catch {
            await cloud.close()
            throw error
        }
    }

    /// Waits until the cloud copy of `table` has the row keyed `key`, probing through one connection: opening
    /// connections for every probe costs more, in a loaded suite, than the sync a test measures.
    func eventuallyInCloud(
        _ table: String, key: Int64, _ what: String, timeout: Duration,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await withCloud { cloud, schema in
            let described = try await cloud.describeTable(TableRef(schema: schema, name: table))
            try await eventually(what, timeout: timeout, sourceLocation: sourceLocation) {
                try await !cloud.fetchRows(described, keys: [[.integer(key)]]).isEmpty
            }
        }
    }

    /// Applies row changes to a cloud table as an application writing to the cloud store would (no origin).
    func cloudWrite(_ table: String, _ changes: [RowChange]) async throws {
        try await withCloud { cloud, schema in
            let description = try await cloud.describeTable(TableRef(schema: schema, name: table))
            try await cloud.apply(changes, to: description, origin: nil)
        }
    }

    static func images(_ connector: any DatabaseConnector, _ ref: TableRef) async throws -> [RowKey: RowImage] {
        let table = try await connector.describeTable(ref)
        var rows: [RowKey: RowImage] = [:]
        var after: [CanonicalValue]?
        repeat {
            let page = try await connector.readSnapshot(table, after: after, limit: 500)
            for row in page.rows { rows[table.key(of: row)] = table.image(of: row) }
            after = page.nextKey
        } while after != nil
        return rows
    }

    /// Both sides hold exactly the same rows.
    func expectEqual(_ table: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (local, cloud) = try await bothSides(table)
        #expect(local.count == cloud.count, "\(table): \(local.count) local rows, \(cloud.count) cloud rows", sourceLocation: sourceLocation)
        let differing = local.filter { cloud[$0.key] != $0.value }.map(\.key)
        #expect(differing.isEmpty, "\(table): rows differ at \(differing.prefix(5))", sourceLocation: sourceLocation)
    }
}
