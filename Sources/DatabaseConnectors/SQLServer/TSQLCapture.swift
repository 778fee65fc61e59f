/// Change-capture statements for SQL Server (pure SQL text): `triggers` and `change_tracking`.
package enum TSQLCapture {
    static let dialect = TSQLDialect()

    /// Creates the schema and log table when absent.
    package static let setup: [String] = [
        "IF SCHEMA_ID(N'berqenas_sync') IS NULL EXEC(N'CREATE SCHEMA berqenas_sync')",
        """
        IF OBJECT_ID(N'berqenas_sync.change_log', N'U') IS NULL CREATE TABLE berqenas_sync.change_log (
            seq bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
            table_schema nvarchar(128) NOT NULL,
            table_name nvarchar(128) NOT NULL,
            op char(1) NOT NULL,
            new_row nvarchar(max) NULL,
            old_row nvarchar(max) NULL,
            captured_at datetimeoffset(7) NOT NULL DEFAULT SYSDATETIMEOFFSET(),
            origin nvarchar(128) NULL,
            columns_signature nvarchar(max) NULL
        )
        """,
        """
        IF OBJECT_ID(N'berqenas_sync.captured_tables', N'U') IS NULL CREATE TABLE berqenas_sync.captured_tables (
            table_schema nvarchar(128) NOT NULL,
            table_name nvarchar(128) NOT NULL,
            mode varchar(20) NOT NULL,
            columns_signature nvarchar(max) NOT NULL,
            PRIMARY KEY (table_schema, table_name)
        )
        """,
    ]

    /// Records (or re-records) how a table is captured: `@p1` schema, `@p2` name, `@p3` mode, `@p4` columns.
    package static let recordCapture = """
        MERGE INTO berqenas_sync.captured_tables WITH (HOLDLOCK) AS target
        USING (VALUES (@p1, @p2, @p3, @p4)) AS source (table_schema, table_name, mode, columns_signature)
        ON target.table_schema = source.table_schema AND target.table_name = source.table_name
        WHEN MATCHED THEN UPDATE SET target.mode = source.mode, target.columns_signature = source.columns_signature
        WHEN NOT MATCHED THEN INSERT (table_schema, table_name, mode, columns_signature)
        VALUES (source.table_schema, source.table_name, source.mode, source.columns_signature);
        """

    /// How a table is captured: `@p1` schema, `@p2` name.
    package static let capturedTable = """
        SELECT mode, columns_signature FROM berqenas_sync.captured_tables WHERE table_schema = @p1 AND table_name = @p2
        """

    /// Forgets how a table is captured: `@p1` schema, `@p2` name.
    package static let forgetCapture = "DELETE FROM berqenas_sync.captured_tables WHERE table_schema = @p1 AND table_name = @p2"

    /// Logged changes not yet acknowledged of a table: `@p1` schema, `@p2` name, not counting origin `@p3`.
    package static let pendingCount = """
        SELECT CONVERT(varchar(20), COUNT(*)) AS n FROM berqenas_sync.change_log
        WHERE table_schema = @p1 AND table_name = @p2 AND (@p3 IS NULL OR origin IS NULL OR origin <> @p3)
        """

    /// Deletes the logged changes of origin `@p1` of table `@p2`.`@p3`.
    package static let discardOrigin = """
        DELETE FROM berqenas_sync.change_log WHERE origin = @p1 AND table_schema = @p2 AND table_name = @p3
        """

    /// Name of the capture trigger of a table.
    package static func triggerName(_ table: TableRef) -> String {
        "berqenas_capture_\(table.schema)_\(table.name)"
    }

    /// The statements inside the trigger body; kept apart so each can be checked on its own.
    package static func triggerBody(_ table: TableSchema) -> [String] {
        let schema = dialect.literal(table.table.schema)
        let name = dialect.literal(table.table.name)
        let keys = table.primaryKey.map(dialect.quote)
        func image(_ alias: String) -> String {
            "(SELECT "
                + table.columns.map { column in
                    "\(SQLServerTypeMap.readExpression("\(alias).\(dialect.quote(column.name))", column.canonicalType)) AS \(dialect.quote(column.name))"
                }.joined(separator: ", ") + " FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)"
        }
        let joined = keys.map { "i.\($0) = d.\($0)" }.joined(separator: " AND ")
        let origin = "CONVERT(nvarchar(128), SESSION_CONTEXT(N'berqenas.origin'))"
        let insertInto = "INSERT INTO berqenas_sync.change_log (table_schema, table_name, op, new_row, old_row, origin)"
        return [
            "SET NOCOUNT ON",
            // Updates that kept the key: one 'U' with both images.
            "\(insertInto) SELECT \(schema), \(name), 'U', \(image("i")), \(image("d")), \(origin) "
                + "FROM inserted AS i INNER JOIN deleted AS d ON \(joined)",
            // Rows only in `inserted`: inserts, and the new side of key changes.
            "\(insertInto) SELECT \(schema), \(name), 'I', \(image("i")), NULL, \(origin) FROM inserted AS i "
                + "WHERE NOT EXISTS (SELECT 1 FROM deleted AS d WHERE \(joined))",
            // Rows only in `deleted`: deletes, and the old side of key changes.
            "\(insertInto) SELECT \(schema), \(name), 'D', NULL, \(image("d")), \(origin) FROM deleted AS d "
                + "WHERE NOT EXISTS (SELECT 1 FROM inserted AS i WHERE \(joined))",
        ]
    }

    /// `CREATE OR ALTER TRIGGER … AFTER INSERT, UPDATE, DELETE AS BEGIN <body> END`.
    package static func createTrigger(_ table: TableSchema) -> String {
        "CREATE OR ALTER TRIGGER \(dialect.quote(table.table.schema)).\(dialect.quote(triggerName(table.table))) "
            + "ON \(dialect.qualified(table.table)) AFTER INSERT, UPDATE, DELETE AS BEGIN "
            + triggerBody(table).joined(separator: "; ") + "; END"
    }

    /// Removes the capture trigger.
    package static func dropTrigger(_ table: TableRef) -> String {
        "DROP TRIGGER IF EXISTS \(dialect.quote(table.schema)).\(dialect.quote(triggerName(table)))"
    }

    /// Logged changes of table `@p3`.`@p4` after sequence `@p1`, skipping origin `@p2` when given.
    package static func readLog(limit: Int) -> String {
        """
        SELECT TOP (\(limit)) CONVERT(varchar(20), seq) AS seq, table_schema, table_name, op, new_row, old_row,
               CONVERT(varchar(40), captured_at, 126) AS captured_at, origin
        FROM berqenas_sync.change_log
        WHERE seq > CONVERT(bigint, @p1) AND (@p2 IS NULL OR origin IS NULL OR origin <> @p2)
          AND table_schema = @p3 AND table_name = @p4
        ORDER BY seq
        """
    }

    /// Forgets logged changes up to sequence `@p1`.
    package static let prune = """
        DELETE FROM berqenas_sync.change_log WHERE seq <= CONVERT(bigint, @p1) AND table_schema = @p2 AND table_name = @p3
        """

    // MARK: change_tracking

    /// Enables change tracking on the database (idempotent) and the table.
    package static func enableChangeTracking(_ table: TableRef) -> [String] {
        [
            "IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = DB_ID()) "
                + "EXEC(N'ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON)')",
            "IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_tables WHERE object_id = OBJECT_ID(\(dialect.literal(dialect.qualified(table))))) "
                + "EXEC(N'ALTER TABLE \(dialect.literalBody(dialect.qualified(table))) ENABLE CHANGE_TRACKING')",
        ]
    }

    /// Disables change tracking on the table.
    package static func disableChangeTracking(_ table: TableRef) -> String {
        "IF EXISTS (SELECT 1 FROM sys.change_tracking_tables WHERE object_id = OBJECT_ID(\(dialect.literal(dialect.qualified(table))))) "
            + "EXEC(N'ALTER TABLE \(dialect.literalBody(dialect.qualified(table))) DISABLE CHANGE_TRACKING')"
    }

    /// The oldest version a reader may still ask for; an older cursor needs a new snapshot.
    package static func minimumValidVersion(_ table: TableRef) -> String {
        "SELECT CONVERT(varchar(20), CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(\(dialect.literal(dialect.qualified(table)))))) AS v, "
            + "CONVERT(varchar(20), CHANGE_TRACKING_CURRENT_VERSION()) AS current_version"
    }

    /// Changes since version `@p1`, values joined from the table (NULL when the row is gone), skipping
    /// changes whose context is origin `@p2`.
    package static func readChangeTable(_ table: TableSchema) -> String {
        let keys = table.primaryKey.map(dialect.quote)
        let keyColumns = table.primaryKey.compactMap { table.column($0) }
        let keyText = keyColumns.map {
            "\(SQLServerTypeMap.readExpression("ct.\(dialect.quote($0.name))", $0.canonicalType)) AS \(dialect.quote("key:" + $0.name))"
        }
        let values = table.columns.map {
            "\(SQLServerTypeMap.readExpression("t.\(dialect.quote($0.name))", $0.canonicalType)) AS \(dialect.quote($0.name))"
        }
        return "SELECT CONVERT(varchar(20), ct.SYS_CHANGE_VERSION) AS version, ct.SYS_CHANGE_OPERATION AS op, "
            + "CONVERT(nvarchar(128), ct.SYS_CHANGE_CONTEXT) AS origin, \((keyText + values).joined(separator: ", ")) "
            + "FROM CHANGETABLE(CHANGES \(dialect.qualified(table.table)), CONVERT(bigint, @p1)) AS ct "
            + "LEFT JOIN \(dialect.qualified(table.table)) AS t ON \(keys.map { "t.\($0) = ct.\($0)" }.joined(separator: " AND ")) "
            + "WHERE (@p2 IS NULL OR ct.SYS_CHANGE_CONTEXT IS NULL OR ct.SYS_CHANGE_CONTEXT <> CONVERT(varbinary(128), @p2)) "
            + "ORDER BY ct.SYS_CHANGE_VERSION"
    }

    /// Wraps a write so change tracking records origin `@p0` as its context.
    package static func withContext(_ statement: String) -> String {
        "WITH CHANGE_TRACKING_CONTEXT (CONVERT(varbinary(128), @p0)) " + statement
    }
}
