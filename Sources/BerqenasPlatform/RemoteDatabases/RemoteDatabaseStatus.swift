import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// A remote database's state, measured when asked.
package struct RemoteDatabaseStatus: Sendable {
    package struct TableState: Sendable {
        package var table: String
        package var captureInstalled: Bool
        package var pendingChanges: Int
    }

    package var reachable: Bool
    package var latencyMilliseconds: Double?
    package var error: String?
    package var lastJob: SyncJob?
    package var nextRunAt: Date?
    package var tables: [TableState]
    package var openConflicts: Int
    package var continuous: Bool
}

extension RemoteDatabaseService {
    /// Every table and view of the remote database's schema, described.
    package func tables(of remote: RemoteDatabase) async throws -> [TableSchema] {
        let connector = try await connector(for: remote)
        do {
            var tables: [TableSchema] = []
            for ref in try await connector.listTables(schema: remote.schemaName) {
                tables.append(try await connector.describeTable(ref))
            }
            await connector.close()
            return tables
        } catch {
            await connector.close()
            if let error = error as? ConnectorError { throw PlatformError(code: error.code.rawValue, status: 422, message: error.message) }
            throw error
        }
    }

    /// Reachability and latency (a live test, when `live`), last job, next scheduled run, capture state and
    /// pending changes of each synced table, and open conflicts. Without `live` the hub opens no connection:
    /// reachability is the last test's outcome.
    package func status(of remote: RemoteDatabase, live: Bool) async throws -> RemoteDatabaseStatus {
        let remoteID = try remote.requireID()
        let lastJob = try await SyncJob.query(on: database).filter(\.$remoteDatabaseID == remoteID)
            .sort(\.$createdAt, .descending).first()
        let schedule = try await SyncSchedule.query(on: database).filter(\.$remoteDatabaseID == remoteID).first()
        let openConflicts = try await SyncConflict.query(on: database).filter(\.$remoteDatabaseID == remoteID)
            .filter(\.$status == .open).count()
        let synced = try await trackedTables(of: remote)
        var status = RemoteDatabaseStatus(
            reachable: false, latencyMilliseconds: nil, error: nil, lastJob: lastJob,
            nextRunAt: schedule?.enabled == true ? schedule?.nextRunAt : nil, tables: [],
            openConflicts: openConflicts, continuous: remote.continuous)
        guard live else {
            status.reachable = remote.status == .ok
            status.error = remote.status == .ok ? nil : remote.statusMessage ?? remote.status.rawValue
            return status
        }
        let connector: any DatabaseConnector
        do {
            connector = try await self.connector(for: remote)
        } catch {
            status.error = Self.describe(error)
            return status
        }
        do {
            let test = try await connector.test()
            status.reachable = true
            status.latencyMilliseconds = test.latencyMilliseconds
            for table in synced {
                let capture = try await connector.captureStatus(of: table, excludingOrigin: try remote.syncOrigin())
                status.tables.append(
                    .init(
                        table: table.description, captureInstalled: capture.installed,
                        pendingChanges: capture.pendingChanges))
            }
        } catch {
            status.error = Self.describe(error)
        }
        await connector.close()
        return status
    }
}
