/// The change-capture objects Berqenas installs in a SQLite file (pure SQL text).
///
/// Triggers name every column explicitly (SQLite has no generic row value), so they are regenerated
/// whenever the table's columns change: `installCapture` and every `readChanges` compare the recorded
/// column list with the table's and rebuild the triggers when they differ.
enum SQLiteCaptureSQL {
    static let createOriginTable = "CREATE TABLE IF NOT EXISTS _berqenas_apply_origin (origin TEXT)"

    static let setup: [String] = [
        createOriginTable,
        """
        CREATE TABLE IF NOT EXISTS _berqenas_change_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            table_name TEXT NOT NULL,
            op TEXT NOT NULL,
            new_row TEXT,
            old_row TEXT,
            captured_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            origin TEXT
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS _berqenas_capture (
            table_name TEXT PRIMARY KEY, columns TEXT NOT NULL
        )
        """,
    ]

    static func triggerName(_ table: String, _ operation: String) -> String {
        "_berqenas_capture_\(operation)_\(table)"
    }

    /// Drops and re-creates the three triggers of `table` for `columns`.
    static func triggers(table: String, columns: [String], dialect: SQLiteDialect) -> [String] {
        let quotedTable = dialect.quote(table)
        let literalTable = dialect.literal(table)
        func image(_ prefix: String) -> String {
            "json_object("
                + columns.map { column in
                    let value = "\(prefix).\(dialect.quote(column))"
                    let key = dialect.literal(column)
                    return "\(key), json_array(typeof(\(value)), CASE typeof(\(value)) WHEN 'blob' THEN hex(\(value)) "
                        + "WHEN 'real' THEN printf('%!.17g', \(value)) WHEN 'null' THEN NULL ELSE CAST(\(value) AS TEXT) END)"
                }.joined(separator: ", ") + ")"
        }
        let origin = "(SELECT origin FROM _berqenas_apply_origin LIMIT 1)"
        var statements = drop(table: table, dialect: dialect)
        statements.append(
            """
            CREATE TRIGGER \(dialect.quote(triggerName(table, "insert"))) AFTER INSERT ON \(quotedTable) BEGIN
            INSERT INTO _berqenas_change_log (table_name, op, new_row, origin) VALUES (\(literalTable), 'I', \(image("NEW")), \(origin));
            END
            """)
        statements.append(
            """
            CREATE TRIGGER \(dialect.quote(triggerName(table, "update"))) AFTER UPDATE ON \(quotedTable) BEGIN
            INSERT INTO _berqenas_change_log (table_name, op, new_row, old_row, origin)
            VALUES (\(literalTable), 'U', \(image("NEW")), \(image("OLD")), \(origin));
            END
            """)
        statements.append(
            """
            CREATE TRIGGER \(dialect.quote(triggerName(table, "delete"))) AFTER DELETE ON \(quotedTable) BEGIN
            INSERT INTO _berqenas_change_log (table_name, op, old_row, origin) VALUES (\(literalTable), 'D', \(image("OLD")), \(origin));
            END
            """)
        return statements
    }

    static func drop(table: String, dialect: SQLiteDialect) -> [String] {
        ["insert", "update", "delete"].map { "DROP TRIGGER IF EXISTS \(dialect.quote(triggerName(table, $0)))" }
    }
}
