import DatabaseConnectors
import FluentKit
import Foundation
import SQLiteNIO

/// Embedded mode: each tenant's store is the file `<data dir>/tenants/<name>.sqlite`.
package struct SQLiteTenantStores: TenantStoreBackend {
    /// Folder holding the store files.
    package let directory: URL

    /// Creates the backend over `directory`.
    package init(directory: URL) {
        self.directory = directory
    }

    package var engine: SystemDatabaseEngine { .sqlite }

    /// Nothing is shared between SQLite stores: each is a file of its own.
    package func restrictSharedLocks(on database: any Database) async throws -> Bool { true }

    package func usedBytes(_ tenant: Tenant, on database: any Database) async throws -> Int64 {
        let file = storeFile(tenant.name).path
        return [file, file + "-wal"].reduce(Int64(0)) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
        }
    }

    /// The store file of a tenant.
    package func storeFile(_ tenantName: String) -> URL {
        directory.appendingPathComponent("\(tenantName).sqlite")
    }

    package func provision(_ tenant: Tenant, rolePassword: String?, on transaction: any Database) async throws {
        let file = storeFile(tenant.name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw PlatformError.conflict(
                "tenant_store_exists",
                "a store file for '\(tenant.name)' already exists at \(file.path); move it away before creating the tenant"
            )
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: file.path))
        do {
            try await connection.query("PRAGMA journal_mode=WAL", []) { _ in }
            try await connection.query(
                "CREATE TABLE _berqenas_store (key TEXT PRIMARY KEY, value TEXT NOT NULL)", []
            ) { _ in }
            try await connection.query(
                "INSERT INTO _berqenas_store (key, value) VALUES ('tenant', ?), ('created_at', ?)",
                [.text(tenant.name), .text(ISO8601DateFormatter().string(from: Date()))]
            ) { _ in }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    package func discardFailedProvision(_ tenant: Tenant) async {
        removeStoreFiles(tenant.name)
    }

    package func applyQuotas(_ tenant: Tenant, on database: any Database) async throws {}

    package func setLoginEnabled(_ enabled: Bool, for tenant: Tenant, on database: any Database) async throws {}

    package func destroy(_ tenant: Tenant, on database: any Database) async throws {
        removeStoreFiles(tenant.name)
    }

    package func prepareSync(_ tenant: Tenant, on database: any Database) async throws {}

    package func syncSpec(for tenant: Tenant, password: String?) -> ConnectionSpec {
        ConnectionSpec(engine: .sqlite, database: storeFile(tenant.name).path, schema: "main")
    }

    package func connectionInfo(for tenant: Tenant) -> TenantConnectionInfo {
        TenantConnectionInfo(
            engine: .sqlite, host: nil, port: nil, database: storeFile(tenant.name).path,
            schema: "main", username: nil, password: nil
        )
    }

    private func removeStoreFiles(_ tenantName: String) {
        let base = storeFile(tenantName).path
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: base + suffix)
        }
    }
}
