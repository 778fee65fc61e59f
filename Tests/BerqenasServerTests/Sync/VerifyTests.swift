import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import Testing

/// Verify compares both sides by key-range digests without writing, lists the rows that differ, and with
/// repair carries them; a verify job that leaves differences is not a success.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct VerifyTests {
    /// A table large enough that verification cuts it into ranges, with the types whose spellings differ
    /// most between engines.
    static let ledger = [
        """
        CREATE TABLE ledger (id bigint PRIMARY KEY, account text, amount numeric(12,2), at timestamptz, flag boolean,
                             ratio double precision, code uuid, day date)
        """,
        """
        INSERT INTO ledger SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'acct ' || (g % 97) END, g * 0.01,
               '2024-03-01 00:00:00+00'::timestamptz + g * interval '1 minute 1 microsecond', g % 2 = 0, g / 3.0,
               md5(g::text)::uuid, DATE '2020-01-01' + (g % 1000) FROM generate_series(1, 5000) g
        """,
    ]

    func verify(_ fixture: SyncFixture, _ body: [String: any Sendable] = [:], expect: String) async throws -> [String: Any] {
        let response = try await fixture.hub.send(
            .POST, "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/verify",
            token: fixture.token, json: body)
        #expect(response.status == .accepted, "\(response.body.string)")
        let id = try #require(try response.jsonObject()["job_id"] as? String)
        let job = try await fixture.waitForJob(id)
        #expect(job["status"] as? String == expect, "\(job)")
        return job
    }

    static func report(_ job: [String: Any], _ table: String) -> [String: Any] {
        let results = job["results"] as? [[String: Any]] ?? []
        return results.first { $0["table"] as? String == table }?["verification"] as? [String: Any] ?? [:]
    }

    @Test(arguments: HubEngine.available)
    func verifyFindsPlantedDifferencesAndRepairMakesTheSidesEqual(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await SyncFixture.run(fixture.localURL, Self.ledger)
            try await fixture.sync("full", tables: ["ledger", "orders"])
            let clean = try await verify(fixture, ["tables": ["ledger", "orders"]], expect: "succeeded")
            let ledger = Self.report(clean, "public.ledger")
            #expect(ledger["local_rows"] as? Int == 5000 && ledger["cloud_rows"] as? Int == 5000, "\(ledger)")
            #expect(ledger["differing_rows"] as? Int == 0 && ledger["ranges_compared"] as? Int == 1, "equal digests: one range")

            // Planted on the cloud side without the site knowing: an extra row, a missing row, a changed value,
            // '' for NULL, a timestamp a microsecond off, a float one bit off, a flipped boolean.
            try await fixture.withCloud { cloud, schema in
                let table = try await cloud.describeTable(TableRef(schema: schema, name: "ledger"))
                let rows = try await cloud.fetchRows(table, keys: [[.integer(14)], [.integer(5000)], [.integer(4001)], [.integer(4999)]])
                var changed: [RowChange] = [.delete(key: [.integer(777)])]
                for row in rows {
                    var values = row.values
                    let id = values[0]
                    switch id {
                    case .integer(14): values[1] = .text("")
                    case .integer(5000): values[3] = .timestampWithZone("2024-03-04 11:20:00.005001+00:00")
                    case .integer(4001): if case let .float(ratio) = values[5] { values[5] = .float(ratio.nextUp) }
                    default: values[4] = .boolean(true)
                    }
                    changed.append(.upsert(Row(values)))
                }
                changed.append(.upsert(Row([.integer(25000), .text("stray"), .decimal("1.00"), .null, .null, .null, .null, .null])))
                try await cloud.apply(changed, to: table, origin: nil)
            }
            try await fixture.local("UPDATE ledger SET amount = amount + 0.01 WHERE id = 3000")

            let found = try await verify(fixture, ["tables": ["ledger"]], expect: "failed")
            #expect((found["error"] as? [String: Any])?["code"] as? String == "sides_differ")
            let report = Self.report(found, "public.ledger")
            #expect(report["differing_rows"] as? Int == 7, "\(report)")
            #expect((report["ranges_compared"] as? Int ?? 0) > 16, "cut into ranges: \(report)")
            let differences = report["differences"] as? [[String: Any]] ?? []
            var kinds: [Int: String] = [:]
            for difference in differences {
                if let key = (difference["key"] as? [Any])?.first as? Int { kinds[key] = difference["kind"] as? String }
            }
            #expect(
                kinds == [
                    14: "changed", 777: "missing_in_cloud", 5000: "changed", 3000: "changed", 4001: "changed",
                    4999: "changed", 25000: "missing_locally",
                ], "\(differences)")
            let columns = differences.first { ($0["key"] as? [Any])?.first as? Int == 5000 }?["columns"] as? [String]
            #expect(columns == ["at"])
            let (local, cloud) = try await fixture.bothSides("ledger")
            #expect(local.count == 5000 && cloud.count == 5000 && cloud[[.integer(25000)]] != nil, "verify wrote nothing")

            let repairAsked = try await fixture.hub.send(
                .POST, "/api/v1/tenants/\(fixture.tenant)/remote-databases/\(fixture.remoteID)/verify",
                token: fixture.token, json: ["repair": true, "conflict_strategy": "latest_wins"])
            #expect(repairAsked.status == .unprocessableEntity && repairAsked.body.string.contains("conflict_strategy"))

            let repaired = try await verify(fixture, ["tables": ["ledger"], "repair": true, "conflict_strategy": "local_wins"], expect: "succeeded")
            #expect(Self.report(repaired, "public.ledger")["repaired"] as? Int == 7)
            try await fixture.expectEqual("ledger")
            let after = try await verify(fixture, ["tables": ["ledger"]], expect: "succeeded")
            #expect(Self.report(after, "public.ledger")["differing_rows"] as? Int == 0)
        }
    }

    @Test(arguments: HubEngine.available)
    func aManualRepairParksEachDifferenceAsAConflict(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            try await fixture.sync("full", tables: ["orders"])
            try await fixture.cloudWrite(
                "orders",
                [
                    .delete(key: [.integer(3)]),
                    .upsert(Row([.integer(4), .integer(5), .decimal("2.00"), .text("")])),
                ])
            let job = try await verify(fixture, ["tables": ["orders"], "repair": true, "conflict_strategy": "manual"], expect: "succeeded")
            #expect(Self.report(job, "public.orders")["parked"] as? Int == 2)
            let open = try await fixture.hub.send(.GET, "/api/v1/tenants/\(fixture.tenant)/conflicts?status=open", token: fixture.token)
            #expect((try open.jsonObject()["items"] as? [[String: Any]])?.count == 2)
            let (local, cloud) = try await fixture.bothSides("orders")
            #expect(local[[.integer(3)]] != nil && cloud[[.integer(3)]] == nil, "parked rows are left as they are")
        }
    }
}
