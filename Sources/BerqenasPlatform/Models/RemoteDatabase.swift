import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// A tenant's on-premise database registered with the hub (the "local" side of its sync).
package final class RemoteDatabase: Model, @unchecked Sendable {
    package static let schema = "remote_databases"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "name") package var name: String
    @Field(key: "engine") package var engine: DatabaseEngine
    @Field(key: "host") package var host: String
    @Field(key: "port") package var port: Int
    @Field(key: "database_name") package var databaseName: String
    @OptionalField(key: "schema_name") package var schemaName: String?
    @Field(key: "username") package var username: String
    /// The password, sealed by the master key; never returned.
    @Field(key: "password_sealed") package var passwordSealed: String
    @Field(key: "tls") package var tls: ConnectionSpec.TLSMode
    @OptionalField(key: "wireguard_peer_id") package var wireguardPeerID: UUID?
    @Field(key: "capture_mode") package var captureMode: CaptureMode
    /// Compare capture mode: the column that rises whenever a row changes (runs compare only those rows).
    @OptionalField(key: "watermark_column") package var watermarkColumn: String?
    /// Prefix of the cloud tables' names (keeps two remotes' tables apart).
    @Field(key: "target_prefix") package var targetPrefix: String
    /// Result of the last connection test.
    @Field(key: "status") package var status: ConnectionTestStatus
    @OptionalField(key: "status_message") package var statusMessage: String?
    /// Since when the remote has failed to answer (nil while it answers).
    @OptionalField(key: "unreachable_since") package var unreachableSince: Date?
    @Field(key: "continuous") package var continuous: Bool
    @Field(key: "continuous_mode") package var continuousMode: SyncMode
    @Field(key: "continuous_strategy") package var continuousStrategy: ConflictStrategy
    @Field(key: "poll_interval_ms") package var pollIntervalMilliseconds: Int
    /// The server running this remote's continuous sync, and until when (a lease, renewed while it runs).
    @OptionalField(key: "continuous_owner") package var continuousOwner: String?
    @OptionalField(key: "continuous_lease_until") package var continuousLeaseUntil: Date?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

/// A job of the sync engine: queued, leased by one worker at a time, resumable.
package final class SyncJob: Model, @unchecked Sendable {
    package static let schema = "sync_jobs"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "remote_database_id") package var remoteDatabaseID: UUID
    @Field(key: "mode") package var kind: SyncJobKind
    /// JSON array of local table names (`schema.name`); empty: every table with a primary key.
    @Field(key: "tables_json") package var tablesJSON: String
    @Field(key: "conflict_strategy") package var conflictStrategy: ConflictStrategy
    @Field(key: "dry_run") package var dryRun: Bool
    /// Verify jobs: carry the differences found with the job's strategy.
    @Field(key: "repair") package var repair: Bool
    @Field(key: "status") package var status: SyncJobStatus
    @Field(key: "progress_json") package var progressJSON: String
    @Field(key: "results_json") package var resultsJSON: String
    @OptionalField(key: "error_code") package var errorCode: String?
    @OptionalField(key: "error_message") package var errorMessage: String?
    @OptionalField(key: "lease_owner") package var leaseOwner: String?
    @OptionalField(key: "lease_expires_at") package var leaseExpiresAt: Date?
    @Field(key: "attempts") package var attempts: Int
    @OptionalField(key: "checkpoint_json") package var checkpointJSON: String?
    @OptionalField(key: "rollback_of") package var rollbackOf: UUID?
    @Field(key: "cancel_requested") package var cancelRequested: Bool
    @OptionalField(key: "requested_by") package var requestedBy: String?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @OptionalField(key: "started_at") package var startedAt: Date?
    @OptionalField(key: "finished_at") package var finishedAt: Date?

    package init() {}
}

/// A capture cursor of one side of one table pair of a remote database.
package final class SyncCursor: Model, @unchecked Sendable {
    package static let schema = "sync_cursors"

    @ID(key: .id) package var id: UUID?
    @Field(key: "remote_database_id") package var remoteDatabaseID: UUID
    /// The local table, `schema.name`.
    @Field(key: "table_name") package var tableName: String
    @Field(key: "side") package var side: SyncSide
    @Field(key: "cursor") package var cursor: String
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

/// A row changed differently on both sides.
package final class SyncConflict: Model, @unchecked Sendable {
    package static let schema = "sync_conflicts"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "remote_database_id") package var remoteDatabaseID: UUID
    /// The job that found it (nil: continuous sync).
    @OptionalField(key: "job_id") package var jobID: UUID?
    @Field(key: "local_table") package var localTable: String
    @Field(key: "cloud_table") package var cloudTable: String
    /// The key in its stored JSON form (also what identifies the row's conflict).
    @Field(key: "key_json") package var keyJSON: String
    @OptionalField(key: "base_json") package var baseJSON: String?
    @OptionalField(key: "local_json") package var localJSON: String?
    @OptionalField(key: "cloud_json") package var cloudJSON: String?
    @Field(key: "local_captured_at") package var localCapturedAt: String
    @Field(key: "cloud_captured_at") package var cloudCapturedAt: String
    @Field(key: "status") package var status: ConflictStatus
    /// Set once resolved.
    @OptionalField(key: "winner") package var winner: ConflictWinner?
    /// The strategy, or the user who resolved it.
    @OptionalField(key: "resolved_by") package var resolvedBy: String?
    @OptionalField(key: "resolved_at") package var resolvedAt: Date?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}
}

/// Undo images of one batch a job wrote: how to put back each row it changed.
package final class SyncUndoBatch: Model, @unchecked Sendable {
    package static let schema = "sync_undo_batches"

    @ID(key: .id) package var id: UUID?
    @Field(key: "job_id") package var jobID: UUID
    /// Order of the batches within the job (microseconds since 1970 when written).
    @Field(key: "seq") package var sequence: Int64
    /// JSON array of `{side, table, key, before, after}`, images in the stored canonical form.
    @Field(key: "entries_json") package var entriesJSON: String

    package init() {}
}

/// Which remote database writes a cloud table (one writer per table).
package final class SyncTableOwner: Model, @unchecked Sendable {
    package static let schema = "sync_table_owners"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    @Field(key: "cloud_table") package var cloudTable: String
    @Field(key: "remote_database_id") package var remoteDatabaseID: UUID

    package init() {}
}

/// When a remote database syncs by itself.
package final class SyncSchedule: Model, @unchecked Sendable {
    package static let schema = "sync_schedules"

    @ID(key: .id) package var id: UUID?
    @Field(key: "remote_database_id") package var remoteDatabaseID: UUID
    @OptionalField(key: "every_minutes") package var everyMinutes: Int?
    @OptionalField(key: "cron") package var cron: String?
    @Field(key: "mode") package var mode: SyncMode
    @Field(key: "conflict_strategy") package var conflictStrategy: ConflictStrategy
    @Field(key: "tables_json") package var tablesJSON: String
    @Field(key: "enabled") package var enabled: Bool
    @OptionalField(key: "next_run_at") package var nextRunAt: Date?
    @OptionalField(key: "last_run_at") package var lastRunAt: Date?

    package init() {}
}
