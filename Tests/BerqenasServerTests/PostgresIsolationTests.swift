import BerqenasPlatform
import BerqenasTestSupport
import DatabaseConnectors
import Foundation
import PostgresNIO
import Testing

/// PostgreSQL mode: each tenant's login role reaches its own schema and nothing else.
@Suite(.enabled(if: PostgresTestCluster.shouldRun, "needs the cluster from scripts/test.sh"))
struct PostgresIsolationTests {
    @Test func tenantRolesCannotReadOtherTenantsOrTheSystemTables() async throws {
        try await withTwoTenants { hub, url, acme, beta, acmeLogin, betaLogin in
            #expect(acmeLogin.schema == "tenant_\(acme)")
            #expect(acmeLogin.username == "tenant_\(acme)_user")

            try await PostgresTestCluster.withConnection(betaLogin.url(base: url)) { beta in
                try await beta.query("CREATE TABLE ledger (entry text)", logger: logger)
                try await beta.query("INSERT INTO ledger VALUES ('beta only')", logger: logger)
            }
            try await PostgresTestCluster.withConnection(acmeLogin.url(base: url)) { acmeConnection in
                try await acmeConnection.query("CREATE TABLE orders (id int PRIMARY KEY)", logger: logger)
                let schema = try await acmeConnection.query("SELECT current_schema() AS s", logger: logger)
                for try await row in schema.decode(String.self) { #expect(row == "tenant_\(acme)") }
                let timeout = try await acmeConnection.query("SHOW statement_timeout", logger: logger)
                for try await row in timeout.decode(String.self) { #expect(row == "30s") }

                for forbidden in [
                    "SELECT * FROM \"tenant_\(beta)\".ledger", "SELECT * FROM public.users",
                    "SELECT * FROM public.tenants", "CREATE TABLE \"tenant_\(beta)\".intruder (id int)",
                ] {
                    await #expect(Comment(rawValue: forbidden)) {
                        try await acmeConnection.query(PostgresQuery(unsafeSQL: forbidden), logger: logger)
                    } throws: { error in
                        (error as? PSQLError)?.serverInfo?[.sqlState] == "42501"
                    }
                }
            }
            try await PostgresTestCluster.withConnection(url) { system in
                let limit = try await system.query(
                    "SELECT rolconnlimit FROM pg_roles WHERE rolname = \(acmeLogin.username)", logger: logger)
                for try await value in limit.decode(Int.self) { #expect(value == TenantQuotas.defaults.maxConnections) }
            }
            try await expectNoPlaintext([acmeLogin.password, betaLogin.password, TestHub.adminPassword], in: url)
        }
    }

    /// From a tenant login's own connection: another tenant's capture wake lock cannot be held (so its triggers
    /// cannot be made to notify), session locks cannot be taken at all, and notifications name nothing.
    @Test func tenantRolesCannotTakeEachOthersLocksOrHearWhatChanged() async throws {
        try await withTwoTenants { hub, url, acme, beta, acmeLogin, betaLogin in
            let betaCapture = "tenant_\(beta)_sync"
            try await PostgresTestCluster.withConnection(acmeLogin.url(base: url)) { intruder in
                for attack in [
                    "SELECT pg_advisory_lock(\(0x4271), hashtext('\(betaCapture)'))",
                    "SELECT pg_try_advisory_lock(\(0x4271), hashtext('\(betaCapture)'))",
                    "SELECT pg_advisory_lock(42)", "SELECT pg_advisory_unlock_all()",
                    "SELECT pg_advisory_xact_lock(hashtext('\(betaCapture).install'))",
                ] {
                    await #expect(Comment(rawValue: attack)) {
                        try await intruder.query(PostgresQuery(unsafeSQL: attack), logger: logger)
                    } throws: { error in
                        (error as? PSQLError)?.serverInfo?[.sqlState] == "42501"
                    }
                }
            }
            try await PostgresTestCluster.withConnection(acmeLogin.url(base: url)) { intruder in
                try await intruder.query("BEGIN", logger: logger)
                await #expect("another tenant's install lock") {
                    try await intruder.query(PostgresQuery(unsafeSQL: "LOCK TABLE \"\(betaCapture)\".install_lock IN EXCLUSIVE MODE"), logger: logger)
                } throws: { error in
                    (error as? PSQLError)?.serverInfo?[.sqlState] == "42501"
                }
                try await intruder.query("ROLLBACK", logger: logger)
            }
            // What capture in a tenant's own store needs still works from its login.
            try await PostgresTestCluster.withConnection(betaLogin.url(base: url)) { owner in
                try await owner.query("BEGIN", logger: logger)
                try await owner.query(PostgresQuery(unsafeSQL: "LOCK TABLE \"\(betaCapture)\".install_lock IN EXCLUSIVE MODE"), logger: logger)
                try await owner.query(
                    PostgresQuery(unsafeSQL: "SELECT pg_try_advisory_xact_lock_shared(\(0x4271), hashtext('\(betaCapture)'))"),
                    logger: logger)
                try await owner.query("COMMIT", logger: logger)
            }
            // Each capture schema has a channel of its own.
            #expect(PostgresConnector.captureChannel(schema: betaCapture) != PostgresConnector.captureChannel(schema: "tenant_\(acme)_sync"))
        }
    }

    @Test func suspendingATenantShutsOutItsRole() async throws {
        let url = try await PostgresTestCluster.makeDatabase()
        try await TestHub.run(.postgresql(url: url)) { hub in
            let admin = try await hub.token()
            let name = TenantTests.unique("paused")
            try await hub.createTenant(name, adminToken: admin)
            let login = try await connection(name, hub: hub, token: admin)
            #expect(try await hub.send(.DELETE, "/api/v1/tenants/\(name)", token: admin).status == .ok)
            await #expect(throws: (any Error).self) {
                try await PostgresTestCluster.withConnection(login.url(base: url)) { _ in }
            }
            let resumed = try await hub.send(.PATCH, "/api/v1/tenants/\(name)", token: admin, json: ["status": "active"])
            #expect(resumed.status == .ok)
            try await PostgresTestCluster.withConnection(login.url(base: url)) { _ in }
        }
    }

    /// A PostgreSQL-mode hub with two tenants (`acme_…`, `beta_…`) and their logins.
    func withTwoTenants(_ body: (TestHub, String, String, String, Login, Login) async throws -> Void) async throws {
        let url = try await PostgresTestCluster.makeDatabase()
        try await TestHub.run(.postgresql(url: url)) { hub in
            let admin = try await hub.token()
            let acme = TenantTests.unique("acme")
            let beta = TenantTests.unique("beta")
            try await hub.createTenant(acme, adminToken: admin)
            try await hub.createTenant(beta, adminToken: admin)
            try await body(
                hub, url, acme, beta, try await connection(acme, hub: hub, token: admin),
                try await connection(beta, hub: hub, token: admin))
        }
    }

    struct Login {
        let schema: String
        let username: String
        let password: String

        func url(base: String) -> String {
            PostgresTestCluster.replacingCredentials(in: base, user: username, password: password)
        }
    }

    private func connection(_ tenant: String, hub: TestHub, token: String) async throws -> Login {
        // Only asked for: a look at the connection without `reveal` carries no password.
        let look = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/connection", token: token).jsonObject()
        #expect(look["password"] is NSNull, "the password only with reveal=true")
        let body = try await hub.send(.GET, "/api/v1/tenants/\(tenant)/connection?reveal=true", token: token).jsonObject()
        return Login(
            schema: try #require(body["schema"] as? String), username: try #require(body["username"] as? String),
            password: try #require(body["password"] as? String)
        )
    }

    /// Every system table, rendered as text, must not contain any of `secrets`.
    private func expectNoPlaintext(_ secrets: [String], in url: String) async throws {
        try await PostgresTestCluster.withConnection(url) { connection in
            var tables: [String] = []
            for try await name in try await connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'", logger: logger
            ).decode(String.self) {
                tables.append(name)
            }
            #expect(tables.contains("tenants"))
            for table in tables {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT t::text FROM \"\(table)\" t"), logger: logger)
                for try await text in rows.decode(String.self) {
                    for secret in secrets { #expect(!text.contains(secret), "plaintext secret in \(table)") }
                }
            }
        }
    }

    private var logger: Logger { Logger(label: "tests") }
}
