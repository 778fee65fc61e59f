import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// Rows changed differently on both sides: listing, and resolving the parked ones by hand.
package struct ConflictService: Sendable {
    let database: any Database
    let remotes: RemoteDatabaseService

    /// A page of a tenant's conflicts, newest first.
    package func list(tenant: Tenant, status: String?, remoteID: UUID?, limit: Int, offset: Int) async throws -> (items: [SyncConflict], total: Int) {
        var query = SyncConflict.query(on: database).filter(\.$tenantID == (try tenant.requireID()))
        if let status {
            guard let wanted = ConflictStatus(rawValue: status) else {
                throw PlatformError.validation(field: "status", "must be open or resolved")
            }
            query = query.filter(\.$status == wanted)
        }
        if let remoteID { query = query.filter(\.$remoteDatabaseID == remoteID) }
        let total = try await query.count()
        return (try await query.sort(\.$createdAt, .descending).range(offset..<(offset + limit)).all(), total)
    }

    /// One conflict of a tenant.
    package func find(_ id: UUID, tenant: Tenant) async throws -> SyncConflict {
        guard let conflict = try await SyncConflict.find(id, on: database), conflict.tenantID == tenant.id else {
            throw PlatformError.notFound("conflict", id.uuidString)
        }
        return conflict
    }

    /// Applies a decision to both sides: the current row of the winning side, or a custom row (a JSON object
    /// by column name, values in their JSON forms, its key equal to the conflict's), and records who decided.
    package func resolve(
        _ conflict: SyncConflict, winner: String, row: JSONValue?, tenant: Tenant,
        caller: Caller
    ) async throws -> SyncConflict {
        guard conflict.status == .open else { throw PlatformError.conflict("conflict_resolved", "this conflict is already resolved") }
        guard let winner = ConflictWinner(rawValue: winner) else {
            throw PlatformError.validation(field: "winner", "must be cloud, local or custom")
        }
        let custom = row == .null ? nil : row
        if winner == .custom, custom == nil { throw PlatformError.validation(field: "row", "is required when the winner is custom") }
        guard let remote = try await RemoteDatabase.find(conflict.remoteDatabaseID, on: database) else {
            throw PlatformError.notFound("remote database", conflict.remoteDatabaseID.uuidString)
        }
        let key = try StoredJSON.value(RowKey.self, conflict.keyJSON)
        let local = try await remotes.connector(for: remote)
        let (cloud, _) = try await remotes.cloudConnector(for: tenant)
        do {
            let localTable = try await local.describeTable(try TableNames.parse(conflict.localTable))
            let cloudTable = try await cloud.describeTable(try TableNames.parse(conflict.cloudTable))
            let image: RowImage?
            switch winner {
            case .local: image = try await local.fetchRows(localTable, keys: [key]).first.map(localTable.image)
            case .cloud: image = try await cloud.fetchRows(cloudTable, keys: [key]).first.map(cloudTable.image)
            case .custom: image = try Self.parse(custom ?? .object([]), for: localTable, key: key)
            }
            let origin = try remote.syncOrigin()
            for (connector, table) in [(local, localTable), (cloud, cloudTable)] {
                let change: RowChange = image.map { .upsert(table.row(from: $0)) } ?? .delete(key: key)
                try await connector.apply([change], to: table, origin: origin)
            }
            await local.close()
            await cloud.close()
        } catch {
            await local.close()
            await cloud.close()
            if let error = error as? ConnectorError { throw PlatformError(code: error.code.rawValue, status: 422, message: error.message) }
            throw error
        }
        conflict.status = .resolved
        conflict.winner = winner
        conflict.resolvedBy = caller.username
        conflict.resolvedAt = Date()
        try await conflict.save(on: database)
        await remotes.events.announce(
            .syncConflictResolved, tenant: tenant, subject: "conflict:\(try conflict.requireID())",
            message: "a conflict in \(conflict.localTable) was resolved by \(caller.username) (\(winner.rawValue))",
            data: [
                ("conflict_id", .id(try conflict.requireID())), ("remote_database_id", .id(conflict.remoteDatabaseID)),
                ("table", .string(conflict.localTable)), ("winner", .string(winner.rawValue)),
            ])
        return conflict
    }

    /// A custom row's image; every column must belong to the table and the key must be the conflict's.
    static func parse(_ row: JSONValue, for table: TableSchema, key: RowKey) throws -> RowImage {
        guard case let .object(fields) = row else { throw PlatformError.validation(field: "row", "must be a JSON object") }
        var image: RowImage = [:]
        for (name, value) in fields {
            guard let column = table.column(name) else {
                throw PlatformError.validation(field: "row.\(name)", "is not a column of \(table.table)")
            }
            do {
                image[name] = try JSONForm.canonical(value, type: column.canonicalType, column: name)
            } catch {
                throw PlatformError.validation(field: "row.\(name)", "expected \(error.expected)")
            }
        }
        guard table.key(of: image) == key else {
            throw PlatformError.validation(field: "row", "must carry the conflicting row's key (\(table.primaryKey.joined(separator: ", ")))")
        }
        return image
    }
}
