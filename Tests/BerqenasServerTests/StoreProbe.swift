import BerqenasPlatform
import BerqenasTestSupport
import FluentKit
import Foundation
import SQLKit
import Testing

/// Looks at the real store of a tenant: the SQLite file, or the PostgreSQL schema and role.
enum StoreProbe {
    static func expectAbsent(_ tenant: String, in hub: TestHub, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let state = try await storeState(tenant, in: hub)
        #expect(state == [false], "store of \(tenant) should be gone", sourceLocation: sourceLocation)
    }

    static func expectPresent(_ tenant: String, in hub: TestHub, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let state = try await storeState(tenant, in: hub)
        #expect(state == [true], "store of \(tenant) should exist", sourceLocation: sourceLocation)
    }

    /// One flag per store object: for PostgreSQL schema and role must agree.
    private static func storeState(_ tenant: String, in hub: TestHub) async throws -> Set<Bool> {
        if hub.configuration.databaseURL == nil {
            let file = SQLiteTenantStores(directory: hub.configuration.tenantStoreDirectory).storeFile(tenant)
            return [FileManager.default.fileExists(atPath: file.path)]
        }
        let sql = try #require(hub.app.db as? any SQLDatabase)
        let schema =
            try await sql.raw("SELECT count(*) AS n FROM pg_namespace WHERE nspname = \(bind: TenantObjectNames.schema(tenant))")
            .first(decoding: Count.self)?.n ?? 0
        let role =
            try await sql.raw("SELECT count(*) AS n FROM pg_roles WHERE rolname = \(bind: TenantObjectNames.role(tenant))")
            .first(decoding: Count.self)?.n ?? 0
        return [schema == 1, role == 1]
    }

    private struct Count: Decodable { let n: Int }
}
