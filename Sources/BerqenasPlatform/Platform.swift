import FluentKit
import Foundation
import Logging

/// The hub's services over one system database, assembled once at start-up.
public struct Platform: Sendable {
    public let configuration: PlatformConfiguration
    public let secrets: SecretBox
    public let tenants: TenantService
    public let users: UserService
    public let signIn: SignInService
    public let audit: AuditLog
    public let remoteDatabases: RemoteDatabaseService
    public let syncJobs: SyncJobService
    public let conflicts: ConflictService
    public let schedules: ScheduleService
    public let worker: SyncWorker
    public let continuousSync: ContinuousSync
    public let vpn: VPNService
    public let vpnPeers: VPNPeerService
    public let publications: PublicationService
    public let events: EventLog
    public let apis: APIDefinitionService
    /// Sign-in attempts per client address.
    public let loginLimiter = RateLimiter()
    /// Generated-API requests per client address of callers without a key or a token.
    public let anonymousLimiter = RateLimiter()
    /// The proxies whose `X-Forwarded-For` is believed.
    public let trustedProxies: TrustedProxies

    /// Keeps tenants' logins from each other's shared locks where the store engine shares any; false when the
    /// hub's login may not (see `TenantStoreBackend.restrictSharedLocks`).
    public func restrictSharedLocks(on database: any Database) async throws -> Bool {
        try await tenants.stores.restrictSharedLocks(on: database)
    }

    /// Assembles the services; the database must already be migrated.
    public init(configuration: PlatformConfiguration, database: any Database, secrets: SecretBox,
                hooks: ProvisioningHooks = ProvisioningHooks()) throws {
        let hasher = try PasswordHasher(cost: configuration.bcryptCost)
        let stores: any TenantStoreBackend = if let url = configuration.databaseURL {
            try PostgresTenantStores(databaseURL: url)
        } else {
            SQLiteTenantStores(directory: configuration.tenantStoreDirectory)
        }
        self.configuration = configuration
        self.trustedProxies = try TrustedProxies(configuration.trustedProxies)
        self.secrets = secrets
        self.tenants = TenantService(database: database, stores: stores, secrets: secrets, hooks: hooks)
        self.users = UserService(database: database, hasher: hasher)
        self.vpn = VPNService(database: database, secrets: secrets, settings: configuration.vpn,
                              logger: Logger(label: "berqenas.vpn"))
        self.vpnPeers = VPNPeerService(database: database, secrets: secrets, networks: vpn, limits: configuration.tenantLimits)
        self.events = EventLog(database: database)
        self.publications = PublicationService(database: database, networks: vpn, events: events, limits: configuration.tenantLimits)
        self.signIn = SignInService(database: database, hasher: hasher,
                                    refreshTokenLifetime: configuration.refreshTokenLifetime)
        self.audit = AuditLog(database: database)
        let destinations = try DestinationPolicy(allow: configuration.remoteAllow, deny: configuration.remoteDeny,
                                                 vpnPool: configuration.vpn.pool.pool, systemDatabaseURL: configuration.databaseURL)
        let sqlitePaths = SQLiteRemotePaths(allowed: configuration.sqliteRemoteDirectory, dataDirectory: configuration.dataDirectory)
        let remotes = RemoteDatabaseService(database: database, secrets: secrets, stores: stores, tenants: tenants,
                                            sqlitePaths: sqlitePaths, destinations: destinations, limits: configuration.tenantLimits,
                                            storage: StorageQuota(stores: stores, database: database))
        self.remoteDatabases = remotes
        self.apis = APIDefinitionService(database: database, remotes: remotes, limits: configuration.tenantLimits)
        let undoRetention = UndoRetention(days: configuration.undoRetentionDays)
        let worker = SyncWorker(database: database, remotes: remotes, tenants: tenants, apis: apis,
                                leaseDuration: configuration.jobLeaseSeconds, undoRetention: undoRetention,
                                pollInterval: .milliseconds(Int(configuration.jobPollSeconds * 1000)),
                                logger: Logger(label: "berqenas.sync"))
        self.worker = worker
        self.continuousSync = ContinuousSync(database: database, remotes: remotes, tenants: tenants,
                                             leaseDuration: configuration.jobLeaseSeconds,
                                             scanInterval: .milliseconds(Int(configuration.jobPollSeconds * 1000)),
                                             logger: Logger(label: "berqenas.sync.continuous"))
        let jobs = SyncJobService(database: database, remotes: remotes, wake: { [weak worker] in worker?.wake() },
                                  undoRetention: undoRetention)
        self.syncJobs = jobs
        self.schedules = ScheduleService(database: database, jobs: jobs)
        self.conflicts = ConflictService(database: database, remotes: remotes)
    }
}
