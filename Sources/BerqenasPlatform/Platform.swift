import FluentKit
import Foundation
import Logging

/// The hub's services over one system database, assembled once at start-up.
package struct Platform: Sendable {
    package let configuration: PlatformConfiguration
    package let secrets: SecretBox
    package let tenants: TenantService
    package let users: UserService
    package let signIn: SignInService
    package let audit: AuditLog
    package let remoteDatabases: RemoteDatabaseService
    package let syncJobs: SyncJobService
    package let conflicts: ConflictService
    package let schedules: ScheduleService
    package let worker: SyncWorker
    package let continuousSync: ContinuousSync
    package let vpn: VPNService
    package let vpnPeers: VPNPeerService
    package let publications: PublicationService
    package let events: EventLog
    package let apis: APIDefinitionService
    /// Prunes the event log (`BERQENAS_EVENT_RETENTION_DAYS`).
    package let eventRetention: EventRetention
    /// This server's live view of the event log (the WebSocket's source).
    package let eventFeed: EventFeed
    /// The users of this server's live connections, read again together.
    package let connectedUsers: ConnectedUsers
    /// The dashboard's figures, and the counters they add up.
    package let dashboard: DashboardService
    /// Alert channels and rules, and the parts that raise and send alerts.
    package let alerts: AlertService
    /// Sign-in attempts per client address.
    package let loginLimiter = RateLimiter()
    /// Generated-API requests per client address of callers without a key or a token.
    package let anonymousLimiter = RateLimiter()
    /// The proxies whose `X-Forwarded-For` is believed.
    package let trustedProxies: TrustedProxies

    /// Keeps tenants' logins from each other's shared locks where the store engine shares any; false when the
    /// hub's login may not (see `TenantStoreBackend.restrictSharedLocks`).
    package func restrictSharedLocks(on database: any Database) async throws -> Bool {
        try await tenants.stores.restrictSharedLocks(on: database)
    }

    /// Assembles the services; the database must already be migrated.
    package init(
        configuration: PlatformConfiguration, database: any Database, secrets: SecretBox, bcrypt: BcryptFunction,
        hooks: ProvisioningHooks = ProvisioningHooks()
    ) throws {
        let hasher = try PasswordHasher(cost: configuration.bcryptCost, bcrypt: bcrypt)
        let stores: any TenantStoreBackend =
            if let url = configuration.databaseURL {
                try PostgresTenantStores(databaseURL: url)
            } else {
                SQLiteTenantStores(directory: configuration.tenantStoreDirectory)
            }
        let events = EventLog(database: database)
        self.events = events
        self.eventRetention = EventRetention(events: events, days: configuration.eventRetentionDays)
        self.eventFeed = EventFeed(log: events)
        self.connectedUsers = ConnectedUsers(database: database)
        let counters = DashboardCounters(database: database)
        self.dashboard = DashboardService(database: database, counters: counters)
        self.configuration = configuration
        self.trustedProxies = try TrustedProxies(configuration.trustedProxies)
        self.secrets = secrets
        self.tenants = TenantService(database: database, stores: stores, secrets: secrets, hooks: hooks, events: events)
        self.users = UserService(database: database, hasher: hasher)
        // Only a gateway touches WireGuard and nftables; other servers store and render what it applies.
        var vpnSettings = configuration.vpn
        if !configuration.roles.contains(.gateway) { vpnSettings.backend = .none }
        self.vpn = VPNService(
            database: database, secrets: secrets, settings: vpnSettings, events: events,
            logger: Logger(label: "berqenas.vpn"))
        self.vpnPeers = VPNPeerService(database: database, secrets: secrets, networks: vpn, events: events, limits: configuration.tenantLimits)
        self.publications = PublicationService(database: database, networks: vpn, events: events, limits: configuration.tenantLimits)
        self.signIn = SignInService(
            database: database, hasher: hasher,
            refreshTokenLifetime: configuration.refreshTokenLifetime)
        self.audit = AuditLog(database: database)
        let destinations = try DestinationPolicy(
            allow: configuration.remoteAllow, deny: configuration.remoteDeny,
            vpnPool: configuration.vpn.pool.pool, systemDatabaseURL: configuration.databaseURL)
        let sqlitePaths = SQLiteRemotePaths(allowed: configuration.sqliteRemoteDirectory, dataDirectory: configuration.dataDirectory)
        let remotes = RemoteDatabaseService(
            database: database, secrets: secrets, stores: stores, tenants: tenants,
            sqlitePaths: sqlitePaths, destinations: destinations, limits: configuration.tenantLimits,
            storage: StorageQuota(stores: stores, database: database), events: events, counters: counters)
        self.remoteDatabases = remotes
        self.apis = APIDefinitionService(database: database, remotes: remotes, limits: configuration.tenantLimits, events: events)
        let undoRetention = UndoRetention(days: configuration.undoRetentionDays)
        let worker = SyncWorker(
            database: database, remotes: remotes, tenants: tenants, apis: apis,
            leaseDuration: configuration.jobLeaseSeconds, undoRetention: undoRetention,
            pollInterval: .milliseconds(Int(configuration.jobPollSeconds * 1000)),
            logger: Logger(label: "berqenas.sync"))
        self.worker = worker
        self.alerts = AlertService(
            database: database, secrets: secrets, destinations: destinations, settings: configuration.alerts, serverID: worker.workerID)
        self.continuousSync = ContinuousSync(
            database: database, remotes: remotes, tenants: tenants,
            leaseDuration: configuration.jobLeaseSeconds,
            scanInterval: .milliseconds(Int(configuration.jobPollSeconds * 1000)),
            logger: Logger(label: "berqenas.sync.continuous"))
        let jobs = SyncJobService(
            database: database, remotes: remotes, wake: { [weak worker] in worker?.wake() },
            undoRetention: undoRetention)
        self.syncJobs = jobs
        self.schedules = ScheduleService(database: database, jobs: jobs)
        self.conflicts = ConflictService(database: database, remotes: remotes)
    }
}
