import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

extension RemoteDatabase {
    /// The origin marker of this remote database's sync sessions (capture readers skip it on the way back).
    func syncOrigin() throws -> String {
        "berqenas:\(try requireID().uuidString)"
    }

    /// A runner between this remote database and the cloud store, with its origin and capture mode.
    func runner(local: any DatabaseConnector, cloud: any DatabaseConnector, journal: any SyncJournal) throws -> SyncRunner {
        var runner = SyncRunner(local: local, cloud: cloud, origin: try syncOrigin(), journal: journal)
        runner.localCaptureMode = captureMode
        if runner.localCaptureMode == .compare { runner.localWatermark = watermarkColumn }
        return runner
    }

    /// The cloud table a local table of this remote database is kept in: same name, behind the prefix.
    func pair(_ local: TableRef, cloudSchema: String) -> SyncTablePair {
        SyncTablePair(local: local, cloud: TableRef(schema: cloudSchema, name: targetPrefix + local.name))
    }
}

extension RemoteDatabaseService {
    /// The local tables a sync has started tracking (those with a capture cursor), by `schema.name`.
    func trackedTables(of remote: RemoteDatabase) async throws -> [TableRef] {
        let names = Set(
            try await SyncCursor.query(on: database).filter(\.$remoteDatabaseID == remote.requireID())
                .filter(\.$side == .local).all().map(\.tableName))
        return try names.sorted().map { try TableNames.parse($0) }
    }

    /// Every table of the remote's schema that has a primary key (what a request naming no tables syncs).
    func keyedTables(_ connector: any DatabaseConnector, of remote: RemoteDatabase) async throws -> [TableRef] {
        var keyed: [TableRef] = []
        for ref in try await connector.listTables(schema: remote.schemaName) where try await connector.describeTable(ref).hasPrimaryKey {
            keyed.append(ref)
        }
        return keyed
    }
}
