import DatabaseConnectors
import FluentKit
import Foundation
import SQLKit

/// PostgreSQL mode: each tenant is a schema `tenant_<name>` owned by a login role `tenant_<name>_user`
/// in the system database's cluster, limited by the tenant's quotas.
package struct PostgresTenantStores: TenantStoreBackend {
    /// Host clients should use to reach the cluster.
    package let host: String
    /// Port clients should use.
    package let port: Int
    /// The database holding the tenant schemas.
    package let database: String
    /// TLS of the tenant logins' connections (the system URL's `sslmode`).
    package let tls: ConnectionSpec.TLSMode

    /// Creates the backend from the system database URL.
    package init(databaseURL: String) throws {
        guard let components = URLComponents(string: databaseURL), let host = components.host else {
            throw PlatformError.invalidConfiguration("BERQENAS_DATABASE_URL is not a valid URL")
        }
        self.host = host
        self.port = components.port ?? 5432
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? (components.user ?? "postgres") : path
        self.tls = try SSLMode.tls(of: databaseURL)
    }

    package var engine: SystemDatabaseEngine { .postgresql }

    package func provision(_ tenant: Tenant, rolePassword: String?, on transaction: any Database) async throws {
        guard let rolePassword else {
            throw PlatformError(code: "internal", status: 500, message: "a PostgreSQL tenant needs a role password")
        }
        let sql = try sqlDatabase(transaction)
        let role = quoted(TenantObjectNames.role(tenant.name))
        let schema = quoted(TenantObjectNames.schema(tenant.name))
        let verifier = ScramVerifier.make(password: rolePassword)
        try await ensureAbsent(tenant, on: sql)
        try await sql.raw("CREATE ROLE \(unsafeRaw: role) LOGIN NOINHERIT PASSWORD \(unsafeRaw: literal(verifier))").run()
        try await sql.raw("GRANT \(unsafeRaw: role) TO CURRENT_USER").run()
        try await sql.raw("CREATE SCHEMA \(unsafeRaw: schema) AUTHORIZATION \(unsafeRaw: role)").run()
        try await sql.raw("REVOKE ALL ON SCHEMA \(unsafeRaw: schema) FROM PUBLIC").run()
        try await sql.raw(
            """
            DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), \
            \(unsafeRaw: literal(TenantObjectNames.role(tenant.name)))); END $$
            """
        ).run()
        try await sql.raw("ALTER ROLE \(unsafeRaw: role) SET search_path = \(unsafeRaw: schema)").run()
        try await grantCaptureLocks(to: [TenantObjectNames.role(tenant.name)], on: sql)
        try await prepareSync(tenant, on: transaction)
        try await applyQuotas(tenant, on: transaction)
    }

    package func discardFailedProvision(_ tenant: Tenant) async {}

    package func applyQuotas(_ tenant: Tenant, on database: any Database) async throws {
        let sql = try sqlDatabase(database)
        let role = quoted(TenantObjectNames.role(tenant.name))
        try await sql.raw("ALTER ROLE \(unsafeRaw: role) CONNECTION LIMIT \(unsafeRaw: String(tenant.maxConnections))").run()
        try await sql.raw(
            "ALTER ROLE \(unsafeRaw: role) SET statement_timeout = \(unsafeRaw: String(tenant.statementTimeoutMilliseconds))"
        ).run()
    }

    package func setLoginEnabled(_ enabled: Bool, for tenant: Tenant, on database: any Database) async throws {
        let sql = try sqlDatabase(database)
        let roleName = TenantObjectNames.role(tenant.name)
        try await sql.raw("ALTER ROLE \(unsafeRaw: quoted(roleName)) \(unsafeRaw: enabled ? "LOGIN" : "NOLOGIN")").run()
        if !enabled {
            try await terminateSessions(of: roleName, on: sql)
        }
    }

    package func destroy(_ tenant: Tenant, on database: any Database) async throws {
        let sql = try sqlDatabase(database)
        let roleName = TenantObjectNames.role(tenant.name)
        try await terminateSessions(of: roleName, on: sql)
        try await sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: quoted(TenantObjectNames.schema(tenant.name))) CASCADE").run()
        let exists = try await sql.raw("SELECT 1 AS present FROM pg_roles WHERE rolname = \(bind: roleName)").first()
        if exists != nil {
            try await sql.raw("DROP OWNED BY \(unsafeRaw: quoted(roleName))").run()
            try await sql.raw("DROP ROLE \(unsafeRaw: quoted(roleName))").run()
        }
    }

    package func connectionInfo(for tenant: Tenant) -> TenantConnectionInfo {
        TenantConnectionInfo(
            engine: .postgresql, host: host, port: port, database: database,
            schema: TenantObjectNames.schema(tenant.name), username: TenantObjectNames.role(tenant.name), password: nil
        )
    }

    package func prepareSync(_ tenant: Tenant, on database: any Database) async throws {
        let sql = try sqlDatabase(database)
        let capture = quoted(TenantObjectNames.syncSchema(tenant.name))
        let role = quoted(TenantObjectNames.role(tenant.name))
        try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: capture) AUTHORIZATION \(unsafeRaw: role)").run()
        // The table capture installs lock to take turns (see `ConnectionSpec.captureInstallLock`), the tenant's.
        let lock = "\(capture).\(quoted(Self.installLock))"
        try await sql.raw(
            """
            DO $$ BEGIN
                IF to_regclass(\(unsafeRaw: literal(lock))) IS NULL THEN
                    CREATE TABLE \(unsafeRaw: lock) ();
                    ALTER TABLE \(unsafeRaw: lock) OWNER TO \(unsafeRaw: role);
                END IF;
            EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL;
            END $$
            """
        ).run()
    }

    /// The table in a tenant's capture schema that capture installs lock.
    static let installLock = "install_lock"

    /// What capture in a tenant's own store needs of the advisory locks once `restrictSharedLocks` took them
    /// from everyone: its triggers' shared, transaction-scoped try-lock (installs lock a table of the tenant's
    /// instead; session locks, which could be held for good, stay the hub's). Grants are serialized (two at once on one function
    /// would collide in the catalog) by a lock on a table of the hub's own (its settings), which no tenant login can take.
    /// Runs inside a transaction.
    private func grantCaptureLocks(to roles: [String], on sql: any SQLDatabase) async throws {
        guard !roles.isEmpty else { return }
        try await sql.raw("LOCK TABLE \(ident: SystemSetting.schema) IN SHARE ROW EXCLUSIVE MODE").run()
        try await sql.raw(
            """
            GRANT EXECUTE ON FUNCTION pg_try_advisory_xact_lock_shared(integer, integer) \
            TO \(unsafeRaw: roles.map(quoted).joined(separator: ", "))
            """
        ).run()
    }

    /// Takes every advisory-lock function from PUBLIC in the hub's database and gives them to the hub's own
    /// login: a tenant's login can then neither hold another tenant's wake lock (which would make its
    /// triggers notify) nor take session locks at all. Needs a superuser (the functions' owner); without one
    /// nothing changes and the answer is false.
    package func restrictSharedLocks(on database: any Database) async throws -> Bool {
        let sql = try sqlDatabase(database)
        let superuser = try await sql.raw("SELECT rolsuper AS yes FROM pg_roles WHERE rolname = current_user").first()
        guard try superuser?.decode(column: "yes", as: Bool.self) == true else { return false }
        try await sql.raw(
            """
            DO $$
            DECLARE f regprocedure;
            BEGIN
                FOR f IN SELECT p.oid::regprocedure FROM pg_proc AS p
                         WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname LIKE 'pg\\_%advisory%' LOOP
                    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
                    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, current_user);
                END LOOP;
            END $$
            """
        ).run()
        let tenants = try await Tenant.query(on: database).all().map { TenantObjectNames.role($0.name) }
        let existing = try await sql.raw("SELECT rolname FROM pg_roles").all().compactMap { try? $0.decode(column: "rolname", as: String.self) }
        try await database.transaction { transaction in
            try await grantCaptureLocks(to: tenants.filter(Set(existing).contains), on: try sqlDatabase(transaction))
        }
        return true
    }

    package func usedBytes(_ tenant: Tenant, on database: any Database) async throws -> Int64 {
        let row = try await sqlDatabase(database).raw(
            """
            SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint AS used FROM pg_class AS c
            JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE n.nspname IN (\(bind: TenantObjectNames.schema(tenant.name)), \(bind: TenantObjectNames.syncSchema(tenant.name)))
              AND c.relkind IN ('r', 'm', 'p')
            """
        ).first()
        return try row?.decode(column: "used", as: Int64.self) ?? 0
    }

    package func syncSpec(for tenant: Tenant, password: String?) -> ConnectionSpec {
        ConnectionSpec(
            engine: .postgresql, host: host, port: port, database: database,
            schema: TenantObjectNames.schema(tenant.name), username: TenantObjectNames.role(tenant.name),
            password: password ?? "", tls: tls,
            // The tenant's quota, which the connector's own startup parameter would otherwise override.
            statementTimeout: Double(tenant.statementTimeoutMilliseconds) / 1000, maxConnections: 2,
            captureSchema: TenantObjectNames.syncSchema(tenant.name), captureInstallLock: Self.installLock,
            // Each cloud table has one writing remote database (`TableOwnership`), which reads its
            // log without its own writes: logging them would only cost each batch a second write and a discard.
            unloggedOrigins: true)
    }

    private func ensureAbsent(_ tenant: Tenant, on sql: any SQLDatabase) async throws {
        let roleName = TenantObjectNames.role(tenant.name)
        let schemaName = TenantObjectNames.schema(tenant.name)
        if try await sql.raw("SELECT 1 AS present FROM pg_roles WHERE rolname = \(bind: roleName)").first() != nil {
            throw PlatformError.conflict(
                "tenant_store_exists", "the role \(roleName) already exists in the cluster; drop or rename it first"
            )
        }
        if try await sql.raw("SELECT 1 AS present FROM pg_namespace WHERE nspname = \(bind: schemaName)").first() != nil {
            throw PlatformError.conflict(
                "tenant_store_exists", "the schema \(schemaName) already exists in the database; drop or rename it first"
            )
        }
    }

    private func terminateSessions(of roleName: String, on sql: any SQLDatabase) async throws {
        try await sql.raw(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = \(bind: roleName)"
        ).run()
    }

    private func sqlDatabase(_ database: any Database) throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else {
            throw PlatformError(code: "internal", status: 500, message: "the system database does not speak SQL")
        }
        return sql
    }

    /// Identifiers here come from validated tenant names; quoting keeps them exact anyway.
    private func quoted(_ identifier: String) -> String { PostgresDialect().quote(identifier) }

    private func literal(_ value: String) -> String { PostgresDialect().literal(value) }
}
