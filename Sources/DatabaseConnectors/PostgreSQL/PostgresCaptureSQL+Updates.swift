/// How a table's updates are logged.
enum PostgresUpdateCapture: Equatable {
    /// A row trigger for inserts, updates and deletes: a partition or inheritance child, whose statement
    /// triggers a write through its parent does not fire.
    case rowTriggersOnly
    /// A row trigger for updates (statement triggers for inserts and deletes): a table without a primary key.
    case rowUpdates
    /// A statement trigger pairing each statement's old and new rows by the primary key `key`, through a
    /// function of the table's own named `function` (the key is written into it).
    case pairedByKey(function: String, key: [String])
}

extension PostgresCaptureSQL {
    static let updateTrigger = "berqenas_capture_update"

    /// The names of the primary key's columns of the table whose oid is `relation` (an SQL expression), in key order.
    static func primaryKeyColumns(of relation: String) -> String {
        """
        SELECT a.attname::text FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = \(relation) AND i.indisprimary ORDER BY k.position
        """
    }

    /// The function behind the table's update trigger, when it is one of this capture schema's (its
    /// `regprocedure` text, quoted by PostgreSQL). Binds: $1 relation.
    var updateFunctionLookup: String {
        """
        SELECT t.tgfoid::regprocedure::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = to_regclass($1) AND t.tgname = '\(Self.updateTrigger)'
          AND p.pronamespace = to_regnamespace(\(PostgresDialect().literal(schemaName)))
        """
    }

    /// The update function for a table keyed by `key`, or nil when a column name would break out of its body.
    ///
    /// Old and new rows are paired by key: a key in both is an update, one only among the old rows was
    /// deleted (its row moved to another key) and one only among the new rows inserted, which is exactly
    /// what the statement changed per key, whatever it did to the keys. Should the key have changed since
    /// the install (renamed, or another key), the rows are logged unpaired, each old row as deleted and each
    /// new one as inserted: the same change per key once read together, and the writer's statement never
    /// fails on a stale function.
    func updateCaptureFunction(_ function: String, key: [String]) -> String? {
        let dialect = PostgresDialect()
        let quoted = key.map(dialect.quote)
        let pairing = zip(quoted.map { "o.\($0)" }, quoted.map { "n.\($0)" }).map { "\($0) = \($1)" }.joined(separator: " AND ")
        let keyNames = "ARRAY[" + key.map(dialect.literal).joined(separator: ", ") + "]::text[]"
        let tag = "$capture_update$"
        let body = """
            DECLARE
                logged_columns text[] := ARRAY(SELECT attname::text FROM pg_attribute
                                               WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped ORDER BY attnum);
            BEGIN
                \(Self.skipUnlogged)
                IF ARRAY(\(Self.primaryKeyColumns(of: "TG_RELID"))) = \(keyNames) THEN
                    INSERT INTO \(log) (table_schema, table_name, op, columns, new_row, old_row)
                    SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME,
                           CASE WHEN o.\(quoted[0]) IS NULL THEN 'I' WHEN n.\(quoted[0]) IS NULL THEN 'D' ELSE 'U' END,
                           logged_columns,
                           CASE WHEN n.\(quoted[0]) IS NOT NULL THEN n::text END,
                           CASE WHEN o.\(quoted[0]) IS NOT NULL THEN o::text END
                    FROM berqenas_old o FULL JOIN berqenas_new n ON \(pairing);
                ELSE
                    INSERT INTO \(log) (table_schema, table_name, op, columns, old_row)
                    SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME, 'D', logged_columns, o::text FROM berqenas_old o;
                    INSERT INTO \(log) (table_schema, table_name, op, columns, new_row)
                    SELECT TG_TABLE_SCHEMA, TG_TABLE_NAME, 'I', logged_columns, n::text FROM berqenas_new n;
                END IF;
                IF FOUND AND NOT pg_try_advisory_xact_lock_shared(\(wakeLockArguments)) THEN
                    PERFORM pg_notify('\(channel)', '');
                END IF;
                RETURN NULL;
            END
            """
        guard !key.isEmpty, !body.contains(tag) else { return nil }
        return """
            CREATE OR REPLACE FUNCTION \(schema).\(dialect.quote(function))() RETURNS trigger LANGUAGE plpgsql
            SET DateStyle = 'ISO, YMD' SET TimeZone = 'UTC' SET IntervalStyle = 'iso_8601'
            SET bytea_output = 'hex' SET extra_float_digits = 3 SET lc_monetary = 'C'
            AS \(tag)
            \(body)
            \(tag)
            """
    }
}
