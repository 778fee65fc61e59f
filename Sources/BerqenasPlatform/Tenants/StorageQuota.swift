import FluentKit
import Foundation
import Synchronization

/// The `storage_mb` quota: writes into a tenant's store (sync jobs, continuous sync, generated APIs over the
/// store) are refused once the store has reached it. The size is measured at most every few seconds per
/// tenant, so a busy API does not measure on every write.
package final class StorageQuota: Sendable {
    let stores: any TenantStoreBackend
    let database: any Database
    private let measured = Mutex<[UUID: (at: ContinuousClock.Instant, bytes: Int64)]>([:])
    /// How long a measurement is trusted.
    static let freshFor: Duration = .seconds(5)

    init(stores: any TenantStoreBackend, database: any Database) {
        self.stores = stores
        self.database = database
    }

    /// - Throws: 409 `storage_quota_exceeded` when the tenant's store has reached its quota.
    package func ensureRoom(_ tenant: Tenant) async throws {
        let id = try tenant.requireID()
        let now = ContinuousClock.now
        let recent = measured.withLock { $0[id] }.flatMap { now - $0.at < Self.freshFor ? $0.bytes : nil }
        let bytes: Int64
        if let recent {
            bytes = recent
        } else {
            bytes = try await stores.usedBytes(tenant, on: database)
            measured.withLock { $0[id] = (now, bytes) }
        }
        let quota = Int64(tenant.storageQuotaMegabytes)
        guard bytes < quota * 1_048_576 else {
            throw PlatformError(
                code: "storage_quota_exceeded", status: 409,
                message:
                    "tenant '\(tenant.name)' uses \(bytes / 1_048_576) MB of its \(quota) MB storage quota: writes into its store are refused until space is freed or an admin raises quotas.storage_mb",
                details: ["storage_mb": String(quota)])
        }
    }

    /// Forgets a measurement (after the quota changed, or in tests after filling a store).
    package func forget(_ tenant: Tenant) {
        guard let id = tenant.id else { return }
        _ = measured.withLock { $0.removeValue(forKey: id) }
    }
}
