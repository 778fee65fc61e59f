import BerqenasPlatform
import BerqenasTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// An API over the tenant's cloud store: tables a sync creates are served without a refresh, and in
/// PostgreSQL mode every query runs as the tenant's own role (what it may not read, the API cannot serve).
struct TenantStoreAPITests {
    @Test(arguments: HubEngine.available)
    func syncedTablesAreServedThroughTheTenantsOwnLogin(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let (hub, token, tenant) = (fixture.hub, fixture.token, fixture.tenant)
            let created = try await hub.send(
                .POST, "/api/v1/tenants/\(tenant)/apis", token: token,
                json: [
                    "name": "store", "source": ["kind": "tenant_store"], "tables": ["*"], "auth": "jwt",
                ])
            #expect(created.status == .created, "\(created.body.string)")
            #expect(try await hub.send(.GET, "/rest/v1/\(tenant)/store/customers", token: token).status == .notFound, "nothing synced yet")

            try await fixture.sync("full", tables: ["public.customers"])
            let row = try await hub.send(.GET, "/rest/v1/\(tenant)/store/customers?id=eq.3&select=id,balance,tags", token: token)
            #expect(row.status == .ok && row.body.string == #"[{"id":3,"balance":3.75,"tags":["t3",null]}]"#, "\(row.body.string)")
            let written = try await hub.send(
                .POST, "/rest/v1/\(tenant)/store/customers?select=id", token: token,
                json: ["id": 900, "name": "From the API", "balance": "0.10"], headers: ["Prefer": "return=representation"])
            #expect(written.status == .created && written.body.string == #"[{"id":900}]"#, "\(written.body.string)")

            guard let url = hub.configuration.databaseURL else { return }
            // A table in the tenant's schema, readable by its role, then no longer: the platform's login still
            // could read it, the API must not.
            let schema = TenantObjectNames.schema(tenant)
            let role = TenantObjectNames.role(tenant)
            func superuser(_ statements: String...) async throws {
                try await PostgresTestCluster.withConnection(url) { connection in
                    for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "tests")) }
                }
            }
            try await superuser(
                "CREATE TABLE \"\(schema)\".payroll (id int PRIMARY KEY, salary int)", "INSERT INTO \"\(schema)\".payroll VALUES (1, 99000)",
                "GRANT SELECT ON \"\(schema)\".payroll TO \"\(role)\"")
            #expect(try await hub.send(.POST, "/api/v1/tenants/\(tenant)/apis/store/refresh", token: token).status == .ok)
            #expect(try await hub.send(.GET, "/rest/v1/\(tenant)/store/payroll", token: token).body.string == #"[{"id":1,"salary":99000}]"#)
            try await superuser("REVOKE ALL ON \"\(schema)\".payroll FROM \"\(role)\"")
            let secret = try await hub.send(.GET, "/rest/v1/\(tenant)/store/payroll", token: token)
            #expect(secret.status == .forbidden && !secret.body.string.contains("99000"), "\(secret.status) \(secret.body.string)")
        }
    }
}
