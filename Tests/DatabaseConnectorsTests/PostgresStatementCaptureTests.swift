import BerqenasTestSupport
import DatabaseConnectors
import PostgresNIO
import Testing

/// PostgreSQL logs inserts and deletes once per statement (from its transition tables) and updates once
/// per row: every row of a multi-row statement is still logged once, with its exact images, and a
/// partition, whose statement triggers a write through its parent would not fire, keeps row triggers.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresStatementCaptureTests {
    /// Every change logged since the start, read in one go.
    func changes(of table: TableSchema, _ connector: PostgresConnector) async throws -> [ChangeRecord] {
        try await connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10_000).changes
    }

    @Test func everyRowOfMultiRowStatementsIsLoggedOnceWithItsImages() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY, qty int, note text)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run(
                "BEGIN",
                "INSERT INTO stock SELECT g, g, 'row ' || g FROM generate_series(1, 500) g",
                "INSERT INTO stock VALUES (499, 0, 'kept'), (501, 501, 'new') ON CONFLICT (id) DO UPDATE SET note = excluded.note",
                "UPDATE stock SET qty = qty * 10 WHERE id <= 3",
                "DELETE FROM stock WHERE id > 450 AND id < 499",
                "INSERT INTO stock SELECT g, 0, NULL FROM generate_series(1000, 1001) g WHERE false",
                "COMMIT")
            let table = try await fixture.connector.describeTable(ref)
            let logged = try await changes(of: table, fixture.connector)
            let ops = Dictionary(grouping: logged, by: \.operation).mapValues(\.count)
            #expect(ops[.insert] == 501, "500 inserted by the first statement, 501 by the upsert")
            #expect(ops[.update] == 4, "499 by the upsert, 1-3 by the update")
            #expect(ops[.delete] == 48)
            #expect(logged.count == 553, "no row logged twice, and an insert of no rows logs nothing")

            let upserted = logged.first { $0.operation == .update && $0.newRow?["id"] == .integer(499) }
            #expect(upserted?.oldRow?["note"] == .text("row 499") && upserted?.newRow?["note"] == .text("kept"))
            let deleted = logged.first { $0.operation == .delete && $0.oldRow?["id"] == .integer(460) }
            #expect(deleted?.oldRow?["qty"] == .integer(460) && deleted?.newRow == nil)
            let updated = logged.first { $0.operation == .update && $0.newRow?["id"] == .integer(2) }
            #expect(updated?.oldRow?["qty"] == .integer(2) && updated?.newRow?["qty"] == .integer(20))
            #expect(try await fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed)

            // Statements run in order: a row deleted by a later statement than the one inserting it comes after.
            let sequence = logged.map(\.sequence)
            #expect(sequence == sequence.sorted())
            let insertedLast = logged.lastIndex { $0.operation == .insert && $0.newRow?["id"] == .integer(460) }
            let deletedAt = logged.firstIndex { $0.operation == .delete && $0.oldRow?["id"] == .integer(460) }
            #expect(insertedLast != nil && deletedAt != nil && insertedLast! < deletedAt!)
        }
    }

    /// A tenant store's connector leaves the hub's own (origin-marked) writes out of the log; its unmarked
    /// writes, and every write through a connector without the setting, are still logged.
    @Test func originMarkedWritesStayOutOfTheLogOnlyWhereTheSpecSaysSo() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY, qty int)", "INSERT INTO stock VALUES (1, 1), (2, 2)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            let table = try await fixture.connector.describeTable(ref)
            var spec = try PostgresTestCluster.connectionSpec(fixture.url)
            spec.unloggedOrigins = true
            spec.maxConnections = 1
            let store = try PostgresConnector(spec: spec)
            do {
                let hubWrites: [RowChange] = [
                    .upsert(Row([.integer(1), .integer(10)])), .upsert(Row([.integer(3), .integer(3)])),
                    .delete(key: [.integer(2)]),
                ]
                try await store.apply(hubWrites, to: table, origin: "berqenas:hub")
                #expect(try await changes(of: table, fixture.connector).isEmpty)

                // The mark lasts one transaction: the next write on the same (only) connection is logged.
                try await store.apply([.upsert(Row([.integer(4), .integer(4)]))], to: table, origin: nil)
                try await fixture.run("UPDATE stock SET qty = 0 WHERE id = 3")
                try await fixture.connector.apply([.delete(key: [.integer(1)])], to: table, origin: "berqenas:hub")
                let logged = try await changes(of: table, fixture.connector)
                #expect(logged.map(\.operation) == [.insert, .update, .delete])
                #expect(logged.map(\.origin) == [nil, nil, "berqenas:hub"])
                await store.close()
            } catch {
                await store.close()
                throw error
            }
        }
    }

    @Test func updatesArePairedByKeyEvenWhenTheyMoveRowsToOtherKeys() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run(
                "CREATE TABLE stock (id int, region text, qty int, PRIMARY KEY (region, id))",
                "INSERT INTO stock SELECT g, 'n', g FROM generate_series(1, 5) g")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run(
                "UPDATE stock SET qty = qty + 1 WHERE id <= 2",
                "UPDATE stock SET id = id + 1000 WHERE id = 5",
                "UPDATE stock SET qty = 0 WHERE false")
            let logged = try await changes(of: try await fixture.connector.describeTable(ref), fixture.connector)
            let summary = logged.map { change -> String in
                guard case let .integer(id)? = (change.newRow ?? change.oldRow)?["id"] else { return "?" }
                return change.operation.rawValue + String(id)
            }
            #expect(summary.sorted() == ["D5", "I1005", "U1", "U2"])
            let first = logged.first { $0.operation == .update && $0.oldRow?["id"] == .integer(1) }
            #expect(first?.oldRow?["qty"] == .integer(1) && first?.newRow?["qty"] == .integer(2))
        }
    }

    @Test func aRenamedKeyColumnNeitherBreaksWritersNorLosesUpdates() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY, qty int)", "INSERT INTO stock VALUES (1, 1), (2, 2)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run("ALTER TABLE stock RENAME COLUMN id TO item", "UPDATE stock SET qty = 10 WHERE item = 1")
            let logged = try await changes(of: try await fixture.connector.describeTable(ref), fixture.connector)
            // Unpaired: the row before as deleted, then the row after as inserted (the same change per key).
            #expect(logged.map(\.operation) == [.delete, .insert])
            #expect(logged.first?.oldRow?["qty"] == .integer(1) && logged.last?.newRow?["qty"] == .integer(10))
            #expect(logged.last?.newRow?["item"] == .integer(1))
        }
    }

    /// Attack: key column names are written into the update function's body. A name carrying quotes,
    /// the function's dollar tag and SQL must neither break out of the body nor stop capture.
    @Test(arguments: [#"k"'); DROP TABLE victim; --"#, "k$capture_update$; DROP TABLE victim; $capture_update$"])
    func hostileKeyColumnNamesStayNames(_ column: String) async throws {
        try await PostgresFixture.with { fixture in
            let name = PostgresDialect().quote(column)
            try await fixture.run(
                "CREATE TABLE victim (id int)", "CREATE TABLE stock (\(name) int PRIMARY KEY, qty int)",
                "INSERT INTO stock VALUES (1, 1), (2, 2)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run("UPDATE stock SET qty = qty + 10")
            let logged = try await changes(of: try await fixture.connector.describeTable(ref), fixture.connector)
            #expect(logged.map(\.operation) == [.update, .update])
            #expect(Set(logged.compactMap { $0.newRow?[column] }) == [.integer(1), .integer(2)])
            #expect(try await fixture.number("SELECT count(*)::float8 FROM victim") == 0, "the victim table still exists")
        }
    }

    @Test func aTableWithoutPrimaryKeyHasItsUpdatesCapturedRowByRow() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE notes (body text)", "INSERT INTO notes VALUES ('a'), ('b')")
            let ref = TableRef(schema: "public", name: "notes")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run("UPDATE notes SET body = body || '!'")
            let logged = try await changes(of: try await fixture.connector.describeTable(ref), fixture.connector)
            #expect(logged.map(\.operation) == [.update, .update])
            #expect(try await fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed)
        }
    }

    @Test func uninstallingDropsTheTablesUpdateFunction() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY, qty int)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            let count = "SELECT count(*)::float8 FROM pg_proc WHERE proname LIKE 'capture_updated_%'"
            #expect(try await fixture.number(count) == 1)
            try await fixture.connector.uninstallCapture(on: ref)
            #expect(try await fixture.number(count) == 0)
        }
    }

    @Test func aDroppedInsertTriggerIsReportedAsCaptureMissing() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY, qty int)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            #expect(try await fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed)
            try await fixture.run("DROP TRIGGER berqenas_capture_insert ON stock")
            #expect(
                try await !fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed,
                "inserts would go uncaptured")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            #expect(try await fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed)
        }
    }

    @Test func aPartitionWrittenThroughItsParentIsStillCaptured() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run(
                "CREATE TABLE sales (id int, region int, amount int, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE sales_north PARTITION OF sales FOR VALUES IN (1)")
            let ref = TableRef(schema: "public", name: "sales_north")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run("INSERT INTO sales VALUES (1, 1, 10), (2, 1, 20)")
            try await fixture.run("UPDATE sales SET amount = amount + 1 WHERE id = 1")
            try await fixture.run("DELETE FROM sales WHERE id = 2")
            let logged = try await changes(of: try await fixture.connector.describeTable(ref), fixture.connector)
            #expect(logged.map(\.operation) == [.insert, .insert, .update, .delete])
            #expect(try await fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed)
        }
    }

    @Test func capturingOverAnEarlierRowTriggerInstallLogsEachInsertOnce() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY, qty int)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            // How earlier versions installed it: one row trigger for all three events.
            try await fixture.run(
                "DROP TRIGGER berqenas_capture_insert ON stock",
                "DROP TRIGGER berqenas_capture_delete ON stock",
                "DROP TRIGGER berqenas_capture_update ON stock",
                "CREATE TRIGGER berqenas_capture_row AFTER INSERT OR UPDATE OR DELETE ON stock FOR EACH ROW EXECUTE FUNCTION berqenas_sync.capture_row()"
            )
            #expect(try await fixture.connector.captureStatus(of: ref, excludingOrigin: nil).installed)
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            try await fixture.run("INSERT INTO stock VALUES (1, 1), (2, 2)")
            try await fixture.run("DELETE FROM stock WHERE id = 2")
            let logged = try await changes(of: try await fixture.connector.describeTable(ref), fixture.connector)
            #expect(logged.map(\.operation) == [.insert, .insert, .delete])
        }
    }
}

/// A window holding more than one batch gets the log's statistics refreshed, so the planner reads it in
/// sequence order instead of sorting every remaining row for each batch.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresCaptureLogStatisticsTests {
    @Test func aWindowLongerThanOneBatchAnalyzesTheLogOnce() async throws {
        try await PostgresFixture.with { fixture in
            try await fixture.run("CREATE TABLE stock (id int PRIMARY KEY)")
            let ref = TableRef(schema: "public", name: "stock")
            try await fixture.connector.installCapture(on: ref, mode: .triggers)
            let table = try await fixture.connector.describeTable(ref)
            func analyzedRows() async throws -> Double {
                try await fixture.number("SELECT reltuples::float8 FROM pg_class WHERE oid = 'berqenas_sync.change_log'::regclass")
            }
            try await fixture.run("INSERT INTO stock SELECT generate_series(1, 5)")
            var cursor = try await fixture.connector.readChanges(of: [table], after: nil, excludingOrigin: nil, limit: 10).cursor
            #expect(try await analyzedRows() == -1, "a window within one batch leaves the statistics alone")

            try await fixture.run("INSERT INTO stock SELECT generate_series(6, 35)")
            var batches = 0
            var more = true
            while more {
                let batch = try await fixture.connector.readChanges(of: [table], after: cursor, excludingOrigin: nil, limit: 10)
                cursor = batch.cursor
                more = batch.hasMore
                batches += 1
            }
            #expect(batches == 3)
            #expect(try await analyzedRows() == 35, "analyzed when the window's first read was full")
        }
    }
}

extension PostgresFixture {
    /// The first column of the first row of `sql`, a float8.
    func number(_ sql: String) async throws -> Double {
        try await PostgresTestCluster.withConnection(url) { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: .init(label: "tests"))
            for try await value in rows.decode(Double.self) { return value }
            return .nan
        }
    }
}
