import BerqenasPlatform
import BerqenasSync
import DatabaseConnectors
import Foundation
import OpenAPIKit
import Vapor

/// A remote database as the API shows it (never its password).
struct RemoteDatabaseResponse: Content {
    let id: UUID
    let name: String
    let engine: DatabaseEngine
    let host: String
    let port: Int
    let database: String
    @ExplicitNull var schema: String?
    let username: String
    let tls: ConnectionSpec.TLSMode
    @ExplicitNull var wireguardPeerID: UUID?
    let captureMode: CaptureMode
    @ExplicitNull var watermarkColumn: String?
    let targetPrefix: String
    let status: ConnectionTestStatus
    @ExplicitNull var statusMessage: String?
    let continuous: Bool
    let continuousMode: SyncMode
    let continuousStrategy: ConflictStrategy
    let pollIntervalMs: Int
    @ExplicitNull var createdAt: Date?
    @ExplicitNull var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, engine, host, port, database, schema, username, tls, status, continuous
        case wireguardPeerID = "wireguard_peer_id", captureMode = "capture_mode", targetPrefix = "target_prefix"
        case statusMessage = "status_message", continuousMode = "continuous_mode", continuousStrategy = "continuous_strategy"
        case pollIntervalMs = "poll_interval_ms", createdAt = "created_at", updatedAt = "updated_at", watermarkColumn = "watermark_column"
    }

    init(_ remote: RemoteDatabase) throws {
        id = try remote.requireID()
        name = remote.name
        engine = remote.engine
        host = remote.host
        port = remote.port
        database = remote.databaseName
        schema = remote.schemaName
        username = remote.username
        tls = remote.tls
        wireguardPeerID = remote.wireguardPeerID
        captureMode = remote.captureMode
        watermarkColumn = remote.watermarkColumn
        targetPrefix = remote.targetPrefix
        status = remote.status
        statusMessage = remote.statusMessage
        continuous = remote.continuous
        continuousMode = remote.continuousMode
        continuousStrategy = remote.continuousStrategy
        pollIntervalMs = remote.pollIntervalMilliseconds
        createdAt = remote.createdAt
        updatedAt = remote.updatedAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

extension RemoteDatabaseRegistration {
    static let schema = WireSchema.of(Self.self, .request, overriding: ["engine": .string(allowedValues: DatabaseEngine.allowedValues)])
}

extension RemoteDatabaseUpdate {
    static let schema = WireSchema.of(Self.self, .request)
}

/// The outcome of a connection test.
struct ConnectionTestResponse: Content {
    let serverVersion: String
    let latencyMs: Double
    @ExplicitNull var encrypted: Bool?
    let canCreateTriggers: Bool
    @ExplicitNull var changeTrackingEnabled: Bool?
    @ExplicitNull var logicalReplication: Bool?

    enum CodingKeys: String, CodingKey {
        case serverVersion = "server_version", latencyMs = "latency_ms", encrypted
        case canCreateTriggers = "can_create_triggers", changeTrackingEnabled = "change_tracking_enabled"
        case logicalReplication = "logical_replication"
    }

    init(_ result: ConnectionTestResult) {
        serverVersion = result.serverVersion
        latencyMs = result.latencyMilliseconds
        encrypted = result.encrypted
        canCreateTriggers = result.capabilities.canCreateTriggers
        changeTrackingEnabled = result.capabilities.changeTrackingEnabled
        logicalReplication = result.capabilities.logicalReplication
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// A table of a remote database and whether it can sync.
struct RemoteTableResponse: Content {
    struct Column: Content {
        let name: String
        let nativeType: String
        let canonicalType: String
        let nullable: Bool

        enum CodingKeys: String, CodingKey { case name, nativeType = "native_type", canonicalType = "canonical_type", nullable }
    }

    let schema: String
    let name: String
    let kind: String
    let columns: [Column]
    let primaryKey: [String]
    let rowEstimate: Int64?
    let oneWay: Bool
    let twoWay: Bool
    let reason: String?
    /// Each capture mode: whether this table can use it, and why not.
    let captureModes: [CaptureModeSupport]

    struct CaptureModeSupport: Content {
        let mode: CaptureMode
        let supported: Bool
        @ExplicitNull var reason: String?
    }

    enum CodingKeys: String, CodingKey {
        case schema, name, kind, columns, primaryKey = "primary_key", rowEstimate = "row_estimate"
        case oneWay = "one_way", twoWay = "two_way", reason, captureModes = "capture_modes"
    }

    init(_ table: TableSchema, engine: DatabaseEngine) {
        captureModes = CaptureSupport.modes(for: table, engine: engine).map {
            CaptureModeSupport(mode: $0.mode, supported: $0.unsupportedBecause == nil, reason: $0.unsupportedBecause)
        }
        schema = table.table.schema
        name = table.table.name
        kind = table.kind.rawValue
        columns = table.columns.map {
            Column(name: $0.name, nativeType: $0.nativeType, canonicalType: String(describing: $0.canonicalType), nullable: $0.nullable)
        }
        primaryKey = table.primaryKey
        rowEstimate = table.estimatedRowCount
        let syncable = table.hasPrimaryKey && table.kind == .table
        oneWay = syncable
        twoWay = syncable
        reason =
            table.kind != .table
            ? "a \(table.kind.rawValue) is not a table: its rows cannot be written"
            : table.hasPrimaryKey ? nil : "no primary key: rows cannot be matched between the sides"
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// A remote database's measured state.
struct RemoteStatusResponse: Content {
    struct Table: Content {
        let table: String
        let captureInstalled: Bool
        let pendingChanges: Int

        enum CodingKeys: String, CodingKey { case table, captureInstalled = "capture_installed", pendingChanges = "pending_changes" }
    }

    struct LastJob: Content {
        let id: UUID
        let mode: SyncJobKind
        let status: SyncJobStatus
        @ExplicitNull var finishedAt: Date?
        @ExplicitNull var error: String?

        enum CodingKeys: String, CodingKey { case id, mode, status, finishedAt = "finished_at", error }
    }

    let reachable: Bool
    @ExplicitNull var latencyMs: Double?
    @ExplicitNull var error: String?
    @ExplicitNull var lastJob: LastJob?
    @ExplicitNull var nextRunAt: Date?
    let tables: [Table]
    let pendingChanges: Int
    let openConflicts: Int
    let continuous: Bool

    enum CodingKeys: String, CodingKey {
        case reachable, error, tables, continuous, latencyMs = "latency_ms", lastJob = "last_job", nextRunAt = "next_run_at"
        case pendingChanges = "pending_changes", openConflicts = "open_conflicts"
    }

    init(_ status: RemoteDatabaseStatus) {
        reachable = status.reachable
        latencyMs = status.latencyMilliseconds
        error = status.error
        lastJob = status.lastJob.flatMap { job in
            job.id.map { LastJob(id: $0, mode: job.kind, status: job.status, finishedAt: job.finishedAt, error: job.errorMessage) }
        }
        nextRunAt = status.nextRunAt
        tables = status.tables.map { Table(table: $0.table, captureInstalled: $0.captureInstalled, pendingChanges: $0.pendingChanges) }
        pendingChanges = status.tables.reduce(0) { $0 + $1.pendingChanges }
        openConflicts = status.openConflicts
        continuous = status.continuous
    }

    static let schema = WireSchema.of(Self.self, .response)
}
