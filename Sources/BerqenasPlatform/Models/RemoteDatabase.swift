import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// A tenant's on-premise database registered with the hub (the "local" side of its sync).
public final class RemoteDatabase: Model, @unchecked Sendable {
    public static let schema = "remote_databases"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "engine") public var engine: DatabaseEngine
    @Field(key: "host") public var host: String
    @Field(key: "port") public var port: Int
    @Field(key: "database_name") public var databaseName: String
    @OptionalField(key: "schema_name") public var schemaName: String?
    @Field(key: "username") public var username: String
    /// The password, sealed by the master key; never returned.
    @Field(key: "password_sealed") public var passwordSealed: String
    @Field(key: "tls") public var tls: ConnectionSpec.TLSMode
    @OptionalField(key: "wireguard_peer_id") public var wireguardPeerID: UUID?
    @Field(key: "capture_mode") public var captureMode: CaptureMode
    /// Compare capture mode: the column that rises whenever a row changes (runs compare only those rows).
    @OptionalField(key: "watermark_column") public var watermarkColumn: String?
    /// Prefix of the cloud tables' names (keeps two remotes' tables apart).
    @Field(key: "target_prefix") public var targetPrefix: String
    /// Result of the last connection test.
    @Field(key: "status") public var status: ConnectionTestStatus
    @OptionalField(key: "status_message") public var statusMessage: String?
    @Field(key: "continuous") public var continuous: Bool
    @Field(key: "continuous_mode") public var continuousMode: SyncMode
    @Field(key: "continuous_strategy") public var continuousStrategy: ConflictStrategy
    @Field(key: "poll_interval_ms") public var pollIntervalMilliseconds: Int
    /// The server running this remote's continuous sync, and until when (a lease, renewed while it runs).
    @OptionalField(key: "continuous_owner") public var continuousOwner: String?
    @OptionalField(key: "continuous_lease_until") public var continuousLeaseUntil: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

/// A job of the sync engine: queued, leased by one worker at a time, resumable.
public final class SyncJob: Model, @unchecked Sendable {
    public static let schema = "sync_jobs"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "remote_database_id") public var remoteDatabaseID: UUID
    @Field(key: "mode") public var kind: SyncJobKind
    /// JSON array of local table names (`schema.name`); empty: every table with a primary key.
    @Field(key: "tables_json") public var tablesJSON: String
    @Field(key: "conflict_strategy") public var conflictStrategy: ConflictStrategy
    @Field(key: "dry_run") public var dryRun: Bool
    /// Verify jobs: carry the differences found with the job's strategy.
    @Field(key: "repair") public var repair: Bool
    @Field(key: "status") public var status: SyncJobStatus
    @Field(key: "progress_json") public var progressJSON: String
    @Field(key: "results_json") public var resultsJSON: String
    @OptionalField(key: "error_code") public var errorCode: String?
    @OptionalField(key: "error_message") public var errorMessage: String?
    @OptionalField(key: "lease_owner") public var leaseOwner: String?
    @OptionalField(key: "lease_expires_at") public var leaseExpiresAt: Date?
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "checkpoint_json") public var checkpointJSON: String?
    @OptionalField(key: "rollback_of") public var rollbackOf: UUID?
    @Field(key: "cancel_requested") public var cancelRequested: Bool
    @OptionalField(key: "requested_by") public var requestedBy: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "started_at") public var startedAt: Date?
    @OptionalField(key: "finished_at") public var finishedAt: Date?

    public init() {}
}

/// A capture cursor of one side of one table pair of a remote database.
public final class SyncCursor: Model, @unchecked Sendable {
    public static let schema = "sync_cursors"

    @ID(key: .id) public var id: UUID?
    @Field(key: "remote_database_id") public var remoteDatabaseID: UUID
    /// The local table, `schema.name`.
    @Field(key: "table_name") public var tableName: String
    @Field(key: "side") public var side: SyncSide
    @Field(key: "cursor") public var cursor: String
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

/// A row changed differently on both sides.
public final class SyncConflict: Model, @unchecked Sendable {
    public static let schema = "sync_conflicts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "remote_database_id") public var remoteDatabaseID: UUID
    /// The job that found it (nil: continuous sync).
    @OptionalField(key: "job_id") public var jobID: UUID?
    @Field(key: "local_table") public var localTable: String
    @Field(key: "cloud_table") public var cloudTable: String
    /// The key in its stored JSON form (also what identifies the row's conflict).
    @Field(key: "key_json") public var keyJSON: String
    @OptionalField(key: "base_json") public var baseJSON: String?
    @OptionalField(key: "local_json") public var localJSON: String?
    @OptionalField(key: "cloud_json") public var cloudJSON: String?
    @Field(key: "local_captured_at") public var localCapturedAt: String
    @Field(key: "cloud_captured_at") public var cloudCapturedAt: String
    @Field(key: "status") public var status: ConflictStatus
    /// Set once resolved.
    @OptionalField(key: "winner") public var winner: ConflictWinner?
    /// The strategy, or the user who resolved it.
    @OptionalField(key: "resolved_by") public var resolvedBy: String?
    @OptionalField(key: "resolved_at") public var resolvedAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// Undo images of one batch a job wrote: how to put back each row it changed.
public final class SyncUndoBatch: Model, @unchecked Sendable {
    public static let schema = "sync_undo_batches"

    @ID(key: .id) public var id: UUID?
    @Field(key: "job_id") public var jobID: UUID
    /// Order of the batches within the job (microseconds since 1970 when written).
    @Field(key: "seq") public var sequence: Int64
    /// JSON array of `{side, table, key, before, after}`, images in the stored canonical form.
    @Field(key: "entries_json") public var entriesJSON: String

    public init() {}
}

/// Which remote database writes a cloud table (one writer per table).
public final class SyncTableOwner: Model, @unchecked Sendable {
    public static let schema = "sync_table_owners"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "cloud_table") public var cloudTable: String
    @Field(key: "remote_database_id") public var remoteDatabaseID: UUID

    public init() {}
}

/// When a remote database syncs by itself.
public final class SyncSchedule: Model, @unchecked Sendable {
    public static let schema = "sync_schedules"

    @ID(key: .id) public var id: UUID?
    @Field(key: "remote_database_id") public var remoteDatabaseID: UUID
    @OptionalField(key: "every_minutes") public var everyMinutes: Int?
    @OptionalField(key: "cron") public var cron: String?
    @Field(key: "mode") public var mode: SyncMode
    @Field(key: "conflict_strategy") public var conflictStrategy: ConflictStrategy
    @Field(key: "tables_json") public var tablesJSON: String
    @Field(key: "enabled") public var enabled: Bool
    @OptionalField(key: "next_run_at") public var nextRunAt: Date?
    @OptionalField(key: "last_run_at") public var lastRunAt: Date?

    public init() {}
}
