/// Which database engine a connector speaks.
package enum DatabaseEngine: String, Sendable, Codable, CaseIterable {
    case postgresql
    case sqlite
    case mssql
}

/// How to reach a database. The password is plain here: callers keep it sealed at rest.
package struct ConnectionSpec: Sendable, Hashable {
    /// Transport security wanted.
    package enum TLSMode: String, Sendable, Codable, CaseIterable {
        /// PostgreSQL: no TLS. SQL Server: encrypt off.
        case disable
        /// PostgreSQL: TLS when the server offers it.
        case prefer
        /// TLS, certificate not verified (SQL Server: encrypt on).
        case require
        /// TLS with certificate and host name verified (SQL Server: strict).
        case verifyFull = "verify_full"
    }

    package var engine: DatabaseEngine
    package var host: String
    package var port: Int
    /// Database name; for SQLite, the file path.
    package var database: String
    package var schema: String?
    package var username: String
    package var password: String
    package var tls: TLSMode
    /// Seconds to wait for a connection.
    package var connectTimeout: Double
    /// Seconds a single statement may run.
    package var statementTimeout: Double
    /// Most connections this spec opens at once.
    package var maxConnections: Int
    /// PostgreSQL: the schema holding the change log and capture functions (`berqenas_sync` by default;
    /// a tenant store keeps its own, since its login may not create schemas or share a log).
    package var captureSchema: String
    /// The name a TLS certificate is checked against (and sent as SNI) when `host` is the address the name was
    /// resolved to: the connection goes where the hub checked, the certificate is still the name's.
    package var tlsServerName: String?
    /// A table in the capture schema that capture installs lock to take turns, where the database is shared
    /// with other logins (tenants' stores in one cluster): only logins with rights on the table can take it,
    /// unlike an advisory lock's key. Nil: an advisory lock.
    package var captureInstallLock: String?
    /// PostgreSQL: writes marked with an origin are not logged by the capture triggers. Only for a database
    /// where the marking writer is the only reader of the log and never reads its own writes back: a hub's
    /// tenant store, whose every cloud table one remote database writes and reads (a site's log, which
    /// several hubs or remote databases may read, logs every write).
    package var unloggedOrigins: Bool
    /// PostgreSQL: a statement outside an explicit transaction may change nothing
    /// (`default_transaction_read_only`), and transactions that write are begun `READ WRITE`. For a generated
    /// API's connections: a read (a view calling a function that writes) can never write, at no extra round trip.
    package var readOnlyByDefault = false

    /// Creates a spec with sensible timeouts.
    package init(
        engine: DatabaseEngine, host: String = "127.0.0.1", port: Int? = nil, database: String,
        schema: String? = nil, username: String = "", password: String = "", tls: TLSMode = .prefer,
        connectTimeout: Double = 10, statementTimeout: Double = 300, maxConnections: Int = 4,
        captureSchema: String = "berqenas_sync", captureInstallLock: String? = nil, unloggedOrigins: Bool = false
    ) {
        self.captureInstallLock = captureInstallLock
        self.unloggedOrigins = unloggedOrigins
        self.engine = engine
        self.host = host
        self.port = port ?? (engine == .mssql ? 1433 : 5432)
        self.database = database
        self.schema = schema
        self.username = username
        self.password = password
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.maxConnections = maxConnections
        self.captureSchema = captureSchema
    }
}

/// What `test()` found out about a database.
package struct ConnectionTestResult: Sendable, Hashable, Codable {
    package var serverVersion: String
    /// Round-trip time of a trivial query, in milliseconds.
    package var latencyMilliseconds: Double
    /// Whether the session runs over TLS (nil where the engine has no network, SQLite).
    package var encrypted: Bool?
    package var capabilities: Capabilities

    /// What sync needs from a database, and whether the login has it.
    package struct Capabilities: Sendable, Hashable, Codable {
        package var canCreateTriggers: Bool
        package var changeTrackingEnabled: Bool?
        package var logicalReplication: Bool?

        /// Creates a capability report.
        package init(canCreateTriggers: Bool, changeTrackingEnabled: Bool? = nil, logicalReplication: Bool? = nil) {
            self.canCreateTriggers = canCreateTriggers
            self.changeTrackingEnabled = changeTrackingEnabled
            self.logicalReplication = logicalReplication
        }
    }

    /// Creates a result.
    package init(serverVersion: String, latencyMilliseconds: Double, encrypted: Bool?, capabilities: Capabilities) {
        self.serverVersion = serverVersion
        self.latencyMilliseconds = latencyMilliseconds
        self.encrypted = encrypted
        self.capabilities = capabilities
    }
}
