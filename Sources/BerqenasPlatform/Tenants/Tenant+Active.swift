import FluentKit
import Foundation

/// A suspended tenant is read-only and runs nothing: no tunnel, no publication, no schedule, no continuous
/// sync, no job. These are the checks those loops make.
extension Tenant {
    /// Whether the tenant exists and is not suspended.
    static func isActive(_ id: UUID, on database: any Database) async throws -> Bool {
        try await Tenant.query(on: database).filter(\.$id == id).filter(\.$status != .suspended).count() > 0
    }

    /// The items whose tenant is active.
    static func active<Item: TenantOwned>(_ items: [Item], on database: any Database) async throws -> [Item] {
        guard !items.isEmpty else { return [] }
        let suspended = Set(try await Tenant.query(on: database).filter(\.$status == .suspended).all().compactMap(\.id))
        return items.filter { !suspended.contains($0.tenantID) }
    }
}

/// A record that belongs to one tenant.
protocol TenantOwned {
    var tenantID: UUID { get }
}

extension VPNNetwork: TenantOwned {}
extension RemoteDatabase: TenantOwned {}
