import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// One writer per cloud table: the remote database that first synced it.
enum TableOwnership {
    /// Records that `remote` writes these cloud tables; another remote database's table is refused.
    static func claim(_ pairs: [SyncTablePair], for remote: RemoteDatabase, on database: any Database) async throws {
        let remoteID = try remote.requireID()
        for pair in pairs {
            let name = pair.cloud.description
            if let owner = try await SyncTableOwner.query(on: database).filter(\.$tenantID == remote.tenantID)
                .filter(\.$cloudTable == name).first()
            {
                guard owner.remoteDatabaseID == remoteID else {
                    let other = try await RemoteDatabase.find(owner.remoteDatabaseID, on: database)
                    throw PlatformError.conflict(
                        "table_owned",
                        "cloud table \(name) is written by remote database '\(other?.name ?? owner.remoteDatabaseID.uuidString)'; "
                            + "register this one with a target_prefix to keep the tables apart")
                }
                continue
            }
            let owner = SyncTableOwner()
            owner.tenantID = remote.tenantID
            owner.cloudTable = name
            owner.remoteDatabaseID = remoteID
            try await owner.create(on: database)
        }
    }
}
