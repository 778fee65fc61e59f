import FluentKit
import SQLKit

extension DashboardService {
    /// What `/metrics` shows per tenant at the moment it is read.
    package struct TenantGauges: Sendable {
        package let tenant: String
        package let openConflicts: Int
        package let peersConnected: Int
    }

    /// Open conflicts and connected peers of every tenant, counted through the tenant indexes.
    package func tenantGauges() async throws -> [TenantGauges] {
        guard let sql = database as? any SQLDatabase else { return [] }
        struct Row: Decodable {
            let name: String
            let conflicts: Int
            let peers: Int
        }
        return try await sql.raw(
            """
            SELECT t.name AS name,
              (SELECT COUNT(*) FROM sync_conflicts c WHERE c.tenant_id = t.id AND c.status = \(bind: ConflictStatus.open.rawValue)) AS conflicts,
              (SELECT COUNT(*) FROM vpn_peers p WHERE p.tenant_id = t.id AND p.revoked_at IS NULL AND p.connected = \(bind: true)) AS peers
            FROM tenants t ORDER BY t.name
            """
        ).all(decoding: Row.self).map { TenantGauges(tenant: $0.name, openConflicts: $0.conflicts, peersConnected: $0.peers) }
    }
}
