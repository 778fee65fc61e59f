/// The change-capture objects Berqenas installs in a PostgreSQL database (pure SQL text).
///
/// Triggers write into `<capture schema>.change_log` (`berqenas_sync` unless the spec names another) one
/// row per changed row: the column names and the row images in the record's text form, produced under
/// fixed output settings (the trigger functions set them), so values are exact whatever the writing
/// session's DateStyle, TimeZone or bytea_output. Each log row carries its transaction id, so the reader
/// can stay behind transactions that are still open.
///
/// Inserts, updates and deletes are logged once per statement from its transition tables (one INSERT ...
/// SELECT: a 20,000-row write costs its writer a third of what a trigger call per row costs; updates pair
/// old and new rows by primary key, see `updateCaptureFunction`). A partition or inheritance child gets a
/// row trigger for all three (a statement run on its parent fires no statement trigger of the child), and
/// a table without a primary key one for its updates.
struct PostgresCaptureSQL {
    static let rowTrigger = "berqenas_capture_row"
    static let insertTrigger = "berqenas_capture_insert"
    static let deleteTrigger = "berqenas_capture_delete"
    static let truncateTrigger = "berqenas_capture_truncate"

    /// The setting a writer turns `on` (for its transaction, with an origin) to keep its writes out of the log.
    static let unloggedSetting = "berqenas.origin_unlogged"

    /// The first statement of every capture trigger function: a write marked unlogged is not logged.
    static let skipUnlogged = "IF current_setting('\(unloggedSetting)', true) = 'on' THEN RETURN NULL; END IF;"

    /// The capture schema, quoted.
    let schema: String
    /// The capture schema as text (for `to_regclass` and locks).
    let schemaName: String
    /// A table in the capture schema that an install locks (nil: an advisory lock, whose key any login of the
    /// cluster could take too; see `ConnectionSpec.captureInstallLock`).
    let installLock: String?

    init(schema name: String, installLock: String? = nil) {
        schemaName = name
        schema = PostgresDialect().quote(name)
        self.installLock = installLock
    }

    /// Serializes installs into this capture schema, for the installing transaction.
    var installLockSQL: String {
        if let installLock { return "LOCK TABLE \(schema).\(PostgresDialect().quote(installLock)) IN EXCLUSIVE MODE" }
        return "SELECT pg_advisory_xact_lock(hashtext(\(PostgresDialect().literal(schemaName + ".install"))))"
    }

    var log: String { "\(schema).change_log" }

    /// The channel this capture schema's triggers NOTIFY, so continuous sync wakes at once: one per capture
    /// schema (several tenants' stores share a cluster), and without a payload (a listener learns that
    /// something changed, not what).
    var channel: String {
        let hash = schemaName.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return "berqenas_changes_" + String(hash, radix: 16)
    }

    /// The advisory lock a waiting sync loop holds (session, exclusive) to have writers NOTIFY: a writer's
    /// trigger takes it shared for its transaction when nobody waits, and then stays silent. A loop taking
    /// the lock waits for those transactions to commit, so after it holds the lock and reads once more,
    /// every later change rings.
    var wakeLockArguments: String {
        "\(Self.wakeLockClass), hashtext(\(PostgresDialect().literal(schemaName)))"
    }

    /// The first key of the wake lock (the second is the capture schema's hash): "Bq" in ASCII.
    static let wakeLockClass = 0x4271

    var setup: [String] {
        [
            installLockSQL,
            PostgresDialect().ensureSchemaSQL(schemaName),
            """
            CREATE TABLE IF NOT EXISTS \(log) (
                seq bigserial PRIMARY KEY,
                table_schema text NOT NULL,
                table_name text NOT NULL,
                op char(1) NOT NULL,
                columns text[],
                new_row text,
                old_row text,
                txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                captured_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                origin text DEFAULT NULLIF(current_setting('berqenas.origin', true), '')
            )
            """,
            "CREATE INDEX IF NOT EXISTS change_log_txid ON \(log) (txid)",
            """
            CREATE OR REPLACE FUNCTION \(schema).capture_row() RETURNS trigger LANGUAGE plpgsql
            SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' SET IntervalStyle = 'iso_8601'
            SET bytea_output = 'hex' SET extra_float_digits = 3 SET lc_monetary = 'C'
            AS $$
            BEGIN
                \(Self.skipUnlogged)
                -- The column names inside the INSERT (one statement per row): a separate SELECT INTO here
                -- cost the writers a third of their commit rate.
                INSERT INTO \(log) (table_schema, table_name, op, columns, new_row, old_row)
                VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, left(TG_OP, 1),
                        ARRAY(SELECT attname::text FROM pg_attribute
                              WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped ORDER BY attnum),
                        CASE WHEN TG_OP <> 'DELETE' THEN NEW::text END,
                        CASE WHEN TG_OP <> 'INSERT' THEN OLD::text END);
                -- NOTIFY only while a sync loop waits for it (it holds the wake lock): a loop that is busy
                -- reads anyway, and a NOTIFY per commit costs writers and reader alike.
                IF NOT pg_try_advisory_xact_lock_shared(\(wakeLockArguments)) THEN
                    PERFORM pg_notify('\(channel)', '');
                END IF;
                RETURN NULL;
            END
            $$
            """,
            statementCapture(function: "capture_inserted", op: "I", image: "new_row", transitionTable: "berqenas_inserted"),
            statementCapture(function: "capture_deleted", op: "D", image: "old_row", transitionTable: "berqenas_deleted"),
            """
            CREATE OR REPLACE FUNCTION \(schema).capture_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                \(Self.skipUnlogged)
                INSERT INTO \(log) (table_schema, table_name, op) VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, 'T');
                RETURN NULL;
            END
            $$
            """,
        ]
    }

    /// A statement trigger function logging the rows of one transition table.
    private func statementCapture(function: String, op: String, image: String, transitionTable: String) -> String {
        """
        CREATE OR REPLACE FUNCTION \(schema).\(function)() RETURNS trigger LANGUAGE plpgsql
        SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' SET IntervalStyle = 'iso_8601'
        SET bytea_output = 'hex' SET extra_float_digits = 3 SET lc_monetary = 'C'
        AS $$
        BEGIN
            \(Self.skipUnlogged)
            INSERT INTO \(log) (table_schema, table_name, op, columns, \(image))
            SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME, '\(op)',
                   ARRAY(SELECT attname::text FROM pg_attribute
                         WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped ORDER BY attnum),
                   changed::text
            FROM \(transitionTable) changed;
            IF FOUND AND NOT pg_try_advisory_xact_lock_shared(\(wakeLockArguments)) THEN
                PERFORM pg_notify('\(channel)', '');
            END IF;
            RETURN NULL;
        END
        $$
        """
    }

    /// The triggers on `relation` (and its update function), capturing its updates as `updates` says.
    func install(_ relation: String, updates: PostgresUpdateCapture) -> [String] {
        var statements =
            setup + uninstall(relation) + [
                "CREATE TRIGGER \(Self.truncateTrigger) AFTER TRUNCATE ON \(relation) "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION \(schema).capture_truncate()"
            ]
        var paired: (function: String, definition: String)?
        if case let .pairedByKey(function, key) = updates, let definition = updateCaptureFunction(function, key: key) {
            paired = (function, definition)
        }
        if updates == .rowTriggersOnly {
            statements.append(
                "CREATE TRIGGER \(Self.rowTrigger) AFTER INSERT OR UPDATE OR DELETE ON \(relation) "
                    + "FOR EACH ROW EXECUTE FUNCTION \(schema).capture_row()")
            return statements
        }
        statements += [
            "CREATE TRIGGER \(Self.insertTrigger) AFTER INSERT ON \(relation) REFERENCING NEW TABLE AS berqenas_inserted "
                + "FOR EACH STATEMENT EXECUTE FUNCTION \(schema).capture_inserted()",
            "CREATE TRIGGER \(Self.deleteTrigger) AFTER DELETE ON \(relation) REFERENCING OLD TABLE AS berqenas_deleted "
                + "FOR EACH STATEMENT EXECUTE FUNCTION \(schema).capture_deleted()",
        ]
        if let paired {
            statements += [
                paired.definition,
                "CREATE TRIGGER \(Self.updateTrigger) AFTER UPDATE ON \(relation) "
                    + "REFERENCING OLD TABLE AS berqenas_old NEW TABLE AS berqenas_new "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION \(schema).\(PostgresDialect().quote(paired.function))()",
            ]
        } else {
            statements.append(
                "CREATE TRIGGER \(Self.rowTrigger) AFTER UPDATE ON \(relation) "
                    + "FOR EACH ROW EXECUTE FUNCTION \(schema).capture_row()")
        }
        return statements
    }

    /// Drops the triggers (the update function, found by `updateFunctionLookup`, is dropped after them).
    func uninstall(_ relation: String) -> [String] {
        [Self.rowTrigger, Self.insertTrigger, Self.updateTrigger, Self.deleteTrigger, Self.truncateTrigger]
            .map { "DROP TRIGGER IF EXISTS \($0) ON \(relation)" }
    }

    /// Whether the table at `$1` has capture for inserts, updates and deletes, each by one trigger.
    /// Binds: $1 relation.
    static let installedCheck = """
        SELECT (count(*) FILTER (WHERE tgtype::int & 4 <> 0) = 1
                AND count(*) FILTER (WHERE tgtype::int & 16 <> 0) = 1
                AND count(*) FILTER (WHERE tgtype::int & 8 <> 0) = 1)::text
        FROM pg_trigger WHERE tgrelid = to_regclass($1)
          AND tgname IN ('\(rowTrigger)', '\(insertTrigger)', '\(updateTrigger)', '\(deleteTrigger)')
        """

    /// Whether the table at `$1` is a partition or an inheritance child. Binds: $1 relation.
    static let isChildCheck = "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1))::text"

    /// Changes of the listed tables made by transactions visible in snapshot `$2` but not in snapshot
    /// `$1` (committed between the two), after sequence `$3` (PgQ's batching rule).
    /// Binds: $1 previous snapshot, $2 current snapshot, $3 last seq, $4 excluded origin, $5 schemas[], $6 names[].
    func readWindow(limit: Int) -> String {
        """
        SELECT l.seq::text, l.table_schema, l.table_name, l.op::text, l.columns::text, l.new_row, l.old_row,
               l.captured_at::text, l.origin
        FROM \(log) l
        JOIN unnest($5::text[], $6::text[]) AS t(s, n) ON t.s = l.table_schema AND t.n = l.table_name
        WHERE l.txid >= pg_snapshot_xmin($1::pg_snapshot) AND l.txid < pg_snapshot_xmax($2::pg_snapshot)
          AND pg_visible_in_snapshot(l.txid, $2::pg_snapshot)
          AND NOT pg_visible_in_snapshot(l.txid, $1::pg_snapshot)
          AND l.seq > $3::bigint
          AND ($4::text IS NULL OR l.origin IS DISTINCT FROM $4::text)
        ORDER BY l.seq LIMIT \(limit)
        """
    }

    /// Removes the listed tables' changes the reader has seen: those visible in the acknowledged snapshot
    /// `$1`. Binds: $1 snapshot, $2 schemas[], $3 names[] (other readers' tables keep their changes).
    /// Returns the count removed.
    var prune: String {
        """
        WITH pruned AS (
            DELETE FROM \(log) l USING unnest($2::text[], $3::text[]) AS t(s, n)
            WHERE l.table_schema = t.s AND l.table_name = t.n
              AND l.txid < pg_snapshot_xmax($1::pg_snapshot) AND pg_visible_in_snapshot(l.txid, $1::pg_snapshot)
            RETURNING 1)
        SELECT count(*)::text FROM pruned
        """
    }

    /// Deletes one origin's logged changes of some tables. Binds: $1 origin, $2 schemas[], $3 names[].
    var discardOrigin: String {
        """
        DELETE FROM \(log) l USING unnest($2::text[], $3::text[]) AS t(s, n)
        WHERE l.table_schema = t.s AND l.table_name = t.n AND l.origin = $1
        """
    }

    /// Refreshes the log's planner statistics (a warning, not an error, for a login that does not own it).
    var analyze: String { "ANALYZE \(log)" }

    /// Reclaims the space of pruned log rows (a no-op with a warning for a login that does not own the log).
    /// Without truncation: cutting empty pages off the end takes a lock that stops the writers' triggers.
    var vacuum: String { "VACUUM (TRUNCATE false) \(log)" }

    /// Pruned rows after which the reader vacuums the log itself: autovacuum visits a database once a
    /// minute by default, and a log churned at thousands of rows a second slows every read and prune
    /// long before that (measured: p99 latency at 5,000 changes/s went from 96 ms to 2.5 s).
    static let vacuumAfterPrunedRows = 10_000

    /// Changes waiting for one table. Binds: $1 schema, $2 name, $3 origin not counted (NULL: none).
    var pendingCount: String {
        """
        SELECT count(*)::text FROM \(log)
        WHERE table_schema = $1 AND table_name = $2 AND ($3::text IS NULL OR origin IS DISTINCT FROM $3::text)
        """
    }
}

/// Where a PostgreSQL change reader stands, as two snapshots: changes of transactions visible in
/// `consumed` have been delivered; a window up to `window` (visible there, not in `consumed`) is being
/// read after sequence `afterSequence`. A transaction still open is in neither, so it is delivered
/// whenever it commits, however its sequence values compare with others'.
struct PostgresCaptureCursor: Equatable {
    var consumed: String
    var window: String?
    var afterSequence: Int64

    /// Nothing consumed: transaction ids start above 1.
    static let start = PostgresCaptureCursor(consumed: "1:1:", window: nil, afterSequence: 0)

    init(consumed: String, window: String?, afterSequence: Int64) {
        self.consumed = consumed
        self.window = window
        self.afterSequence = afterSequence
    }

    /// Parses `pg|<consumed snapshot>|<window snapshot or empty>|<seq>`.
    init(_ text: String) throws {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pg", Self.isSnapshot(parts[1]), parts[2].isEmpty || Self.isSnapshot(parts[2]),
            let sequence = Int64(parts[3])
        else {
            throw ConnectorError(.invalidValue, "not a PostgreSQL capture cursor: \(text)")
        }
        self.consumed = String(parts[1])
        self.window = parts[2].isEmpty ? nil : String(parts[2])
        self.afterSequence = sequence
    }

    var text: String { "pg|\(consumed)|\(window ?? "")|\(afterSequence)" }

    /// `xmin:xmax:xip,…` with digits only.
    private static func isSnapshot(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 3 && !parts[0].isEmpty && !parts[1].isEmpty
            && text.allSatisfy { $0.isNumber || $0 == ":" || $0 == "," }
    }
}
