/// One database engine behind one interface: introspection, snapshot reads, batched writes and change capture.
///
/// Implementations pool their connections and never block an event loop.
package protocol DatabaseConnector: Sendable {
    /// The engine this connector speaks.
    var engine: DatabaseEngine { get }

    /// Server version, round-trip latency and the capabilities sync needs, or a typed failure.
    func test() async throws -> ConnectionTestResult

    /// Tables and views, of one schema or of every user schema.
    func listTables(schema: String?) async throws -> [TableRef]

    /// Columns, keys, indexes and row estimate of one table or view.
    func describeTable(_ table: TableRef) async throws -> TableSchema

    /// The functions of a schema a generated API can call (none where the engine has no functions).
    func describeFunctions(schema: String) async throws -> [FunctionSchema]

    /// Why each function of a schema that `describeFunctions` leaves out is not served, by name.
    func unservedFunctions(schema: String) async throws -> [String: String]

    /// Up to `limit` rows in primary-key order, after the key `after` (nil: from the start) and up to the
    /// key `upTo` included (nil: to the end). Keys compare as the engine orders them.
    func readRange(_ table: TableSchema, after: [CanonicalValue]?, upTo: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage

    /// Row count and digest (`RowDigest`) of the rows in the key range (`after`, `upTo`], computed in the
    /// database where the engine can, over the named columns in that order.
    func digestRange(_ table: TableSchema, columns: [String], after: [CanonicalValue]?, upTo: [CanonicalValue]?) async throws -> RangeDigest

    /// The key of every `every`-th row of the key range (`after`, `upTo`], ascending: bounds that cut it
    /// into parts of `every` rows.
    func splitRange(_ table: TableSchema, after: [CanonicalValue]?, upTo: [CanonicalValue]?, every: Int) async throws -> [[CanonicalValue]]

    /// The rows with these primary keys that exist, in key order (missing keys are simply absent).
    func fetchRows(_ table: TableSchema, keys: [[CanonicalValue]]) async throws -> [Row]

    /// The keys, in key order, of the rows whose `column` is at least `value` (a watermark such as
    /// `updated_at` or `rowversion`: the rows changed since it was read).
    func keys(of table: TableSchema, where column: String, atLeast value: CanonicalValue) async throws -> [[CanonicalValue]]

    /// The largest value of `column` (nil: the table is empty or the column all NULL).
    func largest(_ column: String, of table: TableSchema) async throws -> CanonicalValue?

    /// Runs a read-only statement whose result columns are `columns`, each selected in its read form (the
    /// generated APIs' queries); values are bound as text (nil: NULL).
    func select(_ sql: String, binds: [String?], columns: [ColumnSchema]) async throws -> [Row]

    /// Runs the batch calling a stored procedure (SQL Server) in a transaction, undone with `rollback`, and returns
    /// its last `results.count` result sets decoded as `results` (values bound as text, nil: NULL).
    func callProcedure(_ batch: String, binds: [String?], results: [[ColumnSchema]], rollback: Bool) async throws -> [[Row]]

    /// Runs data-changing statements that report rows (a generated API's INSERT, UPDATE or DELETE with
    /// RETURNING, or OUTPUT on SQL Server) in one transaction, unmarked so capture syncs them; the rows come
    /// back decoded as `columns`, statement after statement. `verify` sees them before the commit: what it
    /// throws rolls everything back.
    func write(
        _ statements: [BoundStatement], returning columns: [ColumnSchema],
        verify: @Sendable ([Row]) throws -> Void
    ) async throws -> [Row]

    /// Applies upserts and deletes in one transaction, marked with `origin` so capture can tell them apart.
    func apply(_ changes: [RowChange], to table: TableSchema, origin: String?) async throws

    /// Inserts many new rows through the engine's fastest path, in one transaction.
    func bulkLoad(_ rows: [Row], into table: TableSchema, origin: String?) async throws

    /// Creates `table` (columns, primary key) from its canonical description, if it does not exist.
    func createTable(_ table: TableSchema) async throws

    /// Installs change capture on a table (idempotent).
    func installCapture(on table: TableRef, mode: CaptureMode) async throws

    /// Removes change capture from a table (idempotent).
    func uninstallCapture(on table: TableRef) async throws

    /// Whether capture is installed and how many changes wait to be carried: changes made with origin
    /// `excludingOrigin` (a sync's own writes, which never travel back) are not counted.
    func captureStatus(of table: TableRef, excludingOrigin: String?) async throws -> CaptureStatus

    /// Changes after `cursor` (nil: from the beginning), skipping those made with origin `excludingOrigin`.
    func readChanges(of tables: [TableSchema], after cursor: String?, excludingOrigin: String?, limit: Int) async throws -> ChangeBatch

    /// Forgets the listed tables' changes up to `cursor` (they were applied on the other side); changes of
    /// other tables stay for their own readers.
    func acknowledge(_ cursor: String, of tables: [TableRef]) async throws

    /// Forgets the listed tables' logged changes made with `origin` (a sync's own writes, which its reader
    /// skips anyway). For a log only that origin's reader reads (a cloud table has one owner): other
    /// readers of a shared log would miss those changes.
    func discardChanges(madeBy origin: String, of tables: [TableRef]) async throws

    /// Closes every pooled connection.
    func close() async
}

extension DatabaseConnector {
    /// No stored procedures: engines without them.
    package func callProcedure(_ batch: String, binds: [String?], results: [[ColumnSchema]], rollback: Bool) async throws -> [[Row]] {
        throw ConnectorError(.unsupported, "\(engine.rawValue) has no stored procedures")
    }

    /// No functions: engines without them (SQLite).
    package func describeFunctions(schema: String) async throws -> [FunctionSchema] { [] }

    /// No reasons: engines that say nothing of what they leave out.
    package func unservedFunctions(schema: String) async throws -> [String: String] { [:] }

    /// Up to `limit` rows in primary-key order, after the key `after` (nil: from the start).
    package func readSnapshot(_ table: TableSchema, after: [CanonicalValue]?, limit: Int) async throws -> SnapshotPage {
        try await readRange(table, after: after, upTo: nil, limit: limit)
    }

    /// Capture state counting every logged change.
    package func captureStatus(of table: TableRef) async throws -> CaptureStatus {
        try await captureStatus(of: table, excludingOrigin: nil)
    }

    /// `write` with nothing to verify before the commit.
    package func write(_ statements: [BoundStatement], returning columns: [ColumnSchema]) async throws -> [Row] {
        try await write(statements, returning: columns, verify: { _ in })
    }
}

/// Runs `body`, then closes `connector` whether `body` returned or threw. The close has finished when this
/// returns, so nothing is left holding a connection when a server shuts its pools and event loops down.
package func closing<T>(_ connector: any DatabaseConnector, after body: () async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await connector.close()
        throw error
    }
    await connector.close()
    return result
}
