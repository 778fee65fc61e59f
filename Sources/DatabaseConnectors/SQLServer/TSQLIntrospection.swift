/// Catalog queries for SQL Server (pure SQL text). Parameters: `@p1` schema, `@p2` table name.
enum TSQLIntrospection {
    static let serverFacts = """
        SELECT CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')) AS version,
               CONVERT(varchar(1), HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'ALTER')) AS can_alter,
               CONVERT(varchar(1), CASE WHEN EXISTS (SELECT 1 FROM sys.change_tracking_databases
                   WHERE database_id = DB_ID()) THEN 1 ELSE 0 END) AS change_tracking,
               CONVERT(varchar(5), CONNECTIONPROPERTY('encrypt_option')) AS encrypted
        """

    static let listTables = """
        SELECT s.name AS schema_name, o.name AS table_name FROM sys.objects AS o
        INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 AND s.name <> N'berqenas_sync'
          AND (@p1 IS NULL OR s.name = @p1)
        ORDER BY s.name, o.name
        """

    static let relation = """
        SELECT o.type AS kind, CONVERT(varchar(20), (SELECT SUM(p.rows) FROM sys.partitions AS p
               WHERE p.object_id = o.object_id AND p.index_id IN (0, 1))) AS estimate
        FROM sys.objects AS o INNER JOIN sys.schemas AS s ON s.schema_id = o.schema_id
        WHERE s.name = @p1 AND o.name = @p2 AND o.type IN ('U', 'V')
        """

    static let columns = """
        SELECT c.name AS column_name, t.name AS type_name, CONVERT(varchar(10), c.max_length) AS max_length,
               CONVERT(varchar(10), c.precision) AS precision, CONVERT(varchar(10), c.scale) AS scale,
               CONVERT(varchar(1), c.is_nullable) AS is_nullable, CONVERT(varchar(1), c.is_identity) AS is_identity,
               CONVERT(varchar(1), c.is_computed) AS is_computed, c.collation_name AS collation_name,
               OBJECT_DEFINITION(c.default_object_id) AS default_definition
        FROM sys.columns AS c
        INNER JOIN sys.types AS t ON t.user_type_id = c.user_type_id
        WHERE c.object_id = OBJECT_ID(QUOTENAME(@p1) + N'.' + QUOTENAME(@p2))
        ORDER BY c.column_id
        """

    static let indexes = """
        SELECT i.name AS index_name, CONVERT(varchar(1), i.is_primary_key) AS is_primary,
               CONVERT(varchar(1), i.is_unique) AS is_unique, CONVERT(varchar(1), i.is_unique_constraint) AS is_constraint,
               c.name AS column_name
        FROM sys.indexes AS i
        INNER JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
        INNER JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
        WHERE i.object_id = OBJECT_ID(QUOTENAME(@p1) + N'.' + QUOTENAME(@p2)) AND i.name IS NOT NULL
        ORDER BY i.name, ic.key_ordinal
        """

    static let foreignKeys = """
        SELECT fk.name AS key_name, pc.name AS column_name, rs.name AS referenced_schema, ro.name AS referenced_table,
               rc.name AS referenced_column
        FROM sys.foreign_keys AS fk
        INNER JOIN sys.foreign_key_columns AS fkc ON fkc.constraint_object_id = fk.object_id
        INNER JOIN sys.columns AS pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
        INNER JOIN sys.objects AS ro ON ro.object_id = fkc.referenced_object_id
        INNER JOIN sys.schemas AS rs ON rs.schema_id = ro.schema_id
        INNER JOIN sys.columns AS rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
        WHERE fk.parent_object_id = OBJECT_ID(QUOTENAME(@p1) + N'.' + QUOTENAME(@p2))
        ORDER BY fk.name, fkc.constraint_column_id
        """

    /// Every catalog statement, for syntax checks.
    static let all = [serverFacts, listTables, relation, columns, indexes, foreignKeys]
}
