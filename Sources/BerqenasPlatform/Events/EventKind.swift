/// What an event says happened, in the log's dotted style. Clients filter by prefix (`sync.`, `vpn.peer.`).
package enum EventKind: String, Codable, Sendable, CaseIterable {
    case syncJobQueued = "sync.job.queued"
    case syncJobStarted = "sync.job.started"
    /// At most one every `EventLog.progressInterval` per job.
    case syncJobProgress = "sync.job.progress"
    case syncJobSucceeded = "sync.job.succeeded"
    case syncJobFailed = "sync.job.failed"
    case syncJobCancelled = "sync.job.cancelled"
    /// A rollback job finished: its target's changes are undone (the subject is the target job).
    case syncJobRolledBack = "sync.job.rolled_back"
    /// Platform: a worker took over a job whose server stopped renewing its lease.
    case syncJobTakenOver = "sync.job.taken_over"
    /// One per batch of conflicts a job or continuous sync parked, with their count.
    case syncConflictOpened = "sync.conflict.opened"
    case syncConflictResolved = "sync.conflict.resolved"
    case remoteDatabaseUnreachable = "remote_database.unreachable"
    case remoteDatabaseReachable = "remote_database.reachable"
    /// An API was created, changed, refreshed or deleted (`data.action`).
    case apiChanged = "api.changed"
    case tenantCreated = "tenant.created"
    case tenantSuspended = "tenant.suspended"
    case tenantReactivated = "tenant.reactivated"
    /// Platform: the tenant and its events are gone; this one says so to admins.
    case tenantDeleted = "tenant.deleted"
    case vpnPeerConnected = "vpn.peer.connected"
    case vpnPeerDisconnected = "vpn.peer.disconnected"
    case vpnPeerRevoked = "vpn.peer.revoked"
    case vpnNetworkFailed = "vpn.network.failed"
    case vpnNetworkRecovered = "vpn.network.recovered"
    case publicationDisabled = "publication.disabled"
    /// Platform: a hub server started.
    case hubStarted = "hub.started"
}
