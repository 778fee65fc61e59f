import BerqenasNetwork
import Foundation

/// Everything a hub needs to start, resolved once from the environment (or given explicitly by tests).
package struct PlatformConfiguration: Sendable {
    /// Where the hub listens.
    package var host: String
    /// The TCP port the hub listens on.
    package var port: Int
    /// Root of everything the hub keeps on disk: the SQLite system database, tenant stores, the key file.
    package var dataDirectory: URL
    /// When set, the system database lives in PostgreSQL and tenants become schemas in that cluster.
    package var databaseURL: String?
    /// Base64 of a 32-byte key; when absent a key file under the data directory is used (and created).
    package var masterKeyBase64: String?
    /// Password for the first `admin` user; when absent one is generated and written to a 0600 file.
    package var adminPassword: String?
    /// Lifetime of access tokens.
    package var accessTokenLifetime: TimeInterval
    /// Lifetime of refresh tokens.
    package var refreshTokenLifetime: TimeInterval
    /// bcrypt work factor for stored passwords.
    package var bcryptCost: Int
    /// How long a sync job's lease lasts without renewal (a dead server's job is taken over after it).
    package var jobLeaseSeconds: TimeInterval = 30
    /// How often an idle worker looks for jobs queued by other servers.
    package var jobPollSeconds: TimeInterval = 1
    /// How long a finished job can be rolled back: its undo images are dropped after this many days
    /// (`BERQENAS_UNDO_RETENTION_DAYS`).
    package var undoRetentionDays = 7
    /// How long events stay in the log (`BERQENAS_EVENT_RETENTION_DAYS`).
    package var eventRetentionDays = 7
    /// The WireGuard side (`BERQENAS_VPN_POOL`, `BERQENAS_VPN_PORTS`, `BERQENAS_VPN_BACKEND`, `BERQENAS_PUBLIC_ENDPOINT`).
    package var vpn: VPNSettings = .defaults
    /// The one directory SQLite remote databases may be in (`BERQENAS_SQLITE_REMOTE_DIR`); nil: none may be registered.
    package var sqliteRemoteDirectory: URL?
    /// Ranges the hub may connect to for tenants despite the built-in denials (`BERQENAS_REMOTE_ALLOW`).
    package var remoteAllow: String?
    /// Ranges the hub never connects to for tenants (`BERQENAS_REMOTE_DENY`).
    package var remoteDeny: String?
    /// Sign-in attempts one client address may make per minute (`BERQENAS_LOGIN_RATE_LIMIT`).
    package var loginRatePerMinute = 30
    /// Requests one client address may make per minute to generated APIs without a key or a token
    /// (`BERQENAS_ANONYMOUS_RATE_LIMIT`).
    package var anonymousRatePerMinute = 600
    /// How many remote databases, APIs, peers, publications and continuous loops one tenant may have.
    package var tenantLimits = TenantLimits()
    /// Reverse proxies whose `X-Forwarded-For` names the client (`BERQENAS_TRUSTED_PROXIES`, addresses or
    /// ranges; none by default: the peer address is the client).
    package var trustedProxies: String?
    /// Alerts: links to the panel (`BERQENAS_PUBLIC_URL`) and the first retry's pause (`BERQENAS_ALERT_RETRY_SECONDS`).
    package var alerts = AlertSettings()
    /// Where the web panel's files are read from (`BERQENAS_PANEL_DIR`); nil: the copy shipped with the binary.
    package var panelDirectory: URL?
    /// `/metrics` and the log's format (`BERQENAS_METRICS_TOKEN`, `BERQENAS_METRICS_ADDRESS`, `BERQENAS_LOG_FORMAT`).
    package var operations = OperationsSettings()
    /// What this server does (`BERQENAS_ROLES`); all three unless split across servers.
    package var roles = Set(ServerRole.allCases)

    /// A configuration with the embedded defaults.
    package init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        dataDirectory: URL = URL(fileURLWithPath: ".berqenas"),
        databaseURL: String? = nil,
        masterKeyBase64: String? = nil,
        adminPassword: String? = nil,
        accessTokenLifetime: TimeInterval = 900,
        refreshTokenLifetime: TimeInterval = 30 * 24 * 3600,
        bcryptCost: Int = 12
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.masterKeyBase64 = masterKeyBase64
        self.adminPassword = adminPassword
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.bcryptCost = bcryptCost
    }

    /// Checks what the variables cannot check one by one: the publication range beside the hub's own ports.
    /// - Throws: `PlatformError` naming the variable.
    package func validate() throws {
        if let problem = vpn.publishPortsProblem(hubPort: port) { throw PlatformError.invalidConfiguration(problem) }
        if roles != Set(ServerRole.allCases), databaseURL == nil {
            throw PlatformError.invalidConfiguration(
                "BERQENAS_ROLES=\(roles.listed) splits the hub across servers, which needs them to share a PostgreSQL system "
                    + "database (BERQENAS_DATABASE_URL); the embedded SQLite default runs all three roles on one server")
        }
        if let metrics = operations.metricsAddress, metrics.port == port {
            throw PlatformError.invalidConfiguration("BERQENAS_METRICS_ADDRESS needs a port of its own, not BERQENAS_PORT's \(port)")
        }
    }

    /// Which engine holds the system database.
    package var systemDatabaseEngine: SystemDatabaseEngine {
        databaseURL == nil ? .sqlite : .postgresql
    }

    /// The SQLite system database file (embedded mode).
    package var systemDatabaseFile: URL { dataDirectory.appendingPathComponent("berqenas.sqlite") }
    /// Folder of per-tenant SQLite stores (embedded mode).
    package var tenantStoreDirectory: URL { dataDirectory.appendingPathComponent("tenants") }
    /// The generated master key file, used when no key is given in the environment.
    package var masterKeyFile: URL { dataDirectory.appendingPathComponent("master.key") }
    /// Where a generated admin password is written once.
    package var initialAdminPasswordFile: URL { dataDirectory.appendingPathComponent("initial-admin-password") }
}

/// The engine behind the system database.
package enum SystemDatabaseEngine: String, Sendable, Codable {
    case sqlite
    case postgresql
}

extension PlatformConfiguration {
    /// Reads `BERQENAS_*` variables; anything unset keeps its embedded default.
    /// - Throws: `PlatformError` naming the variable when a value cannot be used.
    package static func fromEnvironment(_ environment: [String: String]) throws -> PlatformConfiguration {
        var configuration = PlatformConfiguration()
        if let host = environment["BERQENAS_HOST"], !host.isEmpty { configuration.host = host }
        if let port = environment["BERQENAS_PORT"], !port.isEmpty {
            guard let value = Int(port), (1...65535).contains(value) else {
                throw PlatformError.invalidConfiguration("BERQENAS_PORT must be a port number (1-65535), got '\(port)'")
            }
            configuration.port = value
        }
        if let dir = environment["BERQENAS_DATA_DIR"], !dir.isEmpty {
            configuration.dataDirectory = URL(fileURLWithPath: dir)
        }
        if let url = environment["BERQENAS_DATABASE_URL"], !url.isEmpty {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw PlatformError.invalidConfiguration("BERQENAS_DATABASE_URL must be a postgres:// URL")
            }
            configuration.databaseURL = url
        }
        if let key = environment["BERQENAS_MASTER_KEY"], !key.isEmpty { configuration.masterKeyBase64 = key }
        try SecretFiles.apply(environment, to: &configuration)
        if let password = environment["BERQENAS_ADMIN_PASSWORD"], !password.isEmpty {
            configuration.adminPassword = password
        }
        if let ttl = environment["BERQENAS_ACCESS_TOKEN_TTL"], !ttl.isEmpty {
            guard let seconds = Int(ttl), seconds >= 30 else {
                throw PlatformError.invalidConfiguration("BERQENAS_ACCESS_TOKEN_TTL must be a number of seconds, at least 30")
            }
            configuration.accessTokenLifetime = TimeInterval(seconds)
        }
        if let cost = environment["BERQENAS_BCRYPT_COST"], !cost.isEmpty {
            guard let value = Int(cost), (4...31).contains(value) else {
                throw PlatformError.invalidConfiguration("BERQENAS_BCRYPT_COST must be between 4 and 31")
            }
            configuration.bcryptCost = value
        }
        if let lease = environment["BERQENAS_JOB_LEASE_SECONDS"], !lease.isEmpty {
            guard let value = Double(lease), value >= 1 else {
                throw PlatformError.invalidConfiguration("BERQENAS_JOB_LEASE_SECONDS must be a number of seconds, at least 1")
            }
            configuration.jobLeaseSeconds = value
        }
        if let days = environment["BERQENAS_UNDO_RETENTION_DAYS"], !days.isEmpty {
            guard let value = Int(days), (1...3650).contains(value) else {
                throw PlatformError.invalidConfiguration("BERQENAS_UNDO_RETENTION_DAYS must be a number of days (1-3650)")
            }
            configuration.undoRetentionDays = value
        }
        if let days = environment["BERQENAS_EVENT_RETENTION_DAYS"], !days.isEmpty {
            guard let value = Int(days), (1...3650).contains(value) else {
                throw PlatformError.invalidConfiguration("BERQENAS_EVENT_RETENTION_DAYS must be a number of days (1-3650)")
            }
            configuration.eventRetentionDays = value
        }
        if let dir = environment["BERQENAS_SQLITE_REMOTE_DIR"], !dir.isEmpty {
            guard dir.hasPrefix("/") else { throw PlatformError.invalidConfiguration("BERQENAS_SQLITE_REMOTE_DIR must be an absolute path") }
            configuration.sqliteRemoteDirectory = URL(fileURLWithPath: dir)
        }
        configuration.remoteAllow = environment["BERQENAS_REMOTE_ALLOW"]
        configuration.trustedProxies = environment["BERQENAS_TRUSTED_PROXIES"]
        configuration.tenantLimits = try TenantLimits(parsing: environment["BERQENAS_TENANT_LIMITS"])
        for (variable, keyPath) in [
            ("BERQENAS_LOGIN_RATE_LIMIT", \PlatformConfiguration.loginRatePerMinute),
            ("BERQENAS_ANONYMOUS_RATE_LIMIT", \PlatformConfiguration.anonymousRatePerMinute),
        ] {
            guard let text = environment[variable], !text.isEmpty else { continue }
            guard let value = Int(text), (1...1_000_000).contains(value) else {
                throw PlatformError.invalidConfiguration("\(variable) must be a number of requests per minute (1-1000000)")
            }
            configuration[keyPath: keyPath] = value
        }
        configuration.remoteDeny = environment["BERQENAS_REMOTE_DENY"]
        if let dir = environment["BERQENAS_PANEL_DIR"], !dir.isEmpty {
            guard dir.hasPrefix("/") else { throw PlatformError.invalidConfiguration("BERQENAS_PANEL_DIR must be an absolute path") }
            configuration.panelDirectory = URL(fileURLWithPath: dir)
        }
        if let url = environment["BERQENAS_PUBLIC_URL"], !url.isEmpty {
            guard let parsed = AlertChannelSettings.webURL(url), parsed.query == nil, parsed.fragment == nil else {
                throw PlatformError.invalidConfiguration("BERQENAS_PUBLIC_URL must be the panel's http(s) address, like https://hub.example.com")
            }
            configuration.alerts.publicURL = url
        }
        if let seconds = environment["BERQENAS_ALERT_RETRY_SECONDS"], !seconds.isEmpty {
            guard let value = Double(seconds), (1...3600).contains(value) else {
                throw PlatformError.invalidConfiguration("BERQENAS_ALERT_RETRY_SECONDS must be a number of seconds (1-3600)")
            }
            configuration.alerts.firstRetry = value
        }
        configuration.operations = try OperationsSettings.fromEnvironment(environment)
        if let roles = environment["BERQENAS_ROLES"], !roles.isEmpty { configuration.roles = try ServerRole.parse(roles) }
        do {
            configuration.vpn = try VPNSettings.fromEnvironment(environment)
        } catch let error as NetworkError {
            throw PlatformError.invalidConfiguration(error.message)
        }
        return configuration
    }
}
