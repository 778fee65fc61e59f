import FluentKit
import SQLKit

/// On SQLite, event numbers are never handed out twice. A plain `INTEGER PRIMARY KEY` gives the next row
/// the highest number in the table plus one: once a deleted tenant's events (the newest rows) were gone, its
/// `tenant.deleted` event took the number of its first deleted one, below what followers had already seen,
/// and they never received it. `AUTOINCREMENT` numbers past every row there ever was. SQLite cannot change
/// a column, so the table is copied into its new shape. PostgreSQL's identity never reuses a number.
package struct NumberEventsOnceOnSQLite: AsyncMigration {
    package init() {}

    package func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        for statement in [
            """
            CREATE TABLE event_log_numbered (
                "id" INTEGER PRIMARY KEY AUTOINCREMENT,
                "tenant_id" UUID REFERENCES "tenants" ("id") ON DELETE CASCADE ON UPDATE NO ACTION,
                "tenant" TEXT, "kind" TEXT NOT NULL, "subject" TEXT NOT NULL, "message" TEXT NOT NULL,
                "data" TEXT NOT NULL DEFAULT '{}', "occurred_at" REAL NOT NULL)
            """,
            """
            INSERT INTO event_log_numbered (id, tenant_id, tenant, kind, subject, message, data, occurred_at)
            SELECT id, tenant_id, tenant, kind, subject, message, data, occurred_at FROM event_log
            """,
            "DROP TABLE event_log",
            "ALTER TABLE event_log_numbered RENAME TO event_log",
            "CREATE INDEX event_log_tenant_id ON event_log (tenant_id, id)",
            "CREATE INDEX event_log_occurred_at ON event_log (occurred_at)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    package func revert(on database: any Database) async throws {}
}
