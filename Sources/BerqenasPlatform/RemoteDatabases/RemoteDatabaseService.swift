import BerqenasNetwork
import BerqenasSync
import DatabaseConnectors
import FluentKit
import Foundation

/// Registered on-premise databases of tenants: registration, connection tests, tables, removal.
package struct RemoteDatabaseService: Sendable {
    let database: any Database
    let secrets: SecretBox
    let stores: any TenantStoreBackend
    let tenants: TenantService
    /// Where SQLite remote databases may be (checked again at every connection).
    let sqlitePaths: SQLiteRemotePaths
    /// Where the hub may connect for a tenant (checked at every connection).
    let destinations: DestinationPolicy
    let limits: TenantLimits
    /// The tenants' `storage_mb` quotas, checked before anything writes into a store.
    package let storage: StorageQuota
    let events: EventLog
    /// The dashboard's counts (jobs ended, rows moved).
    let counters: DashboardCounters

    static func secretContext(_ id: UUID) -> String { "remote-database:\(id.uuidString)" }

    /// Registers a remote database of `tenant` and tests it; the result of the test is its `status`.
    package func register(_ request: RemoteDatabaseRegistration, tenant: Tenant, caller: Caller) async throws -> RemoteDatabase {
        try RemoteDatabaseRules.name(request.name)
        let engine = try RemoteDatabaseRules.engine(request.engine)
        try RemoteConnectionRules.authorize(
            .init(
                engine: engine, isNew: true, setsDatabase: true, movesServer: true,
                givesPassword: request.password != nil), caller: caller, storedPasswordIsEmpty: true)
        if engine != .sqlite, request.wireguardPeerID == nil, (request.host ?? "").isEmpty {
            throw PlatformError.validation(field: "host", "is required for \(engine.rawValue) (or a wireguard_peer_id)")
        }
        try await requirePeer(request.wireguardPeerID, tenantID: try tenant.requireID())
        guard !request.database.isEmpty else { throw PlatformError.validation(field: "database", "is required") }
        let databaseName = engine == .sqlite ? try sqlitePaths.check(request.database) : request.database
        if let port = request.port { try RemoteDatabaseRules.port(port) }
        let tls = try RemoteDatabaseRules.tls(request.tls ?? (engine == .mssql ? "require" : "prefer"), engine: engine)
        let capture = try RemoteDatabaseRules.captureMode(request.captureMode ?? "triggers", engine: engine)
        try RemoteDatabaseRules.targetPrefix(request.targetPrefix ?? "")
        try await limits.admitAnother(.remoteDatabases, tenantID: try tenant.requireID(), on: database)
        if try await RemoteDatabase.query(on: database).filter(\.$tenantID == tenant.requireID())
            .filter(\.$name == request.name).first() != nil
        {
            throw PlatformError.conflict("remote_database_exists", "tenant '\(tenant.name)' already has a remote database named '\(request.name)'")
        }
        let remote = RemoteDatabase()
        let id = UUID()
        remote.id = id
        remote.tenantID = try tenant.requireID()
        remote.name = request.name
        remote.engine = engine
        remote.host = request.host ?? ""
        remote.port = request.port ?? (engine == .mssql ? 1433 : 5432)
        remote.databaseName = databaseName
        remote.schemaName = request.schema ?? RemoteDatabaseRules.defaultSchema(engine)
        remote.username = request.username ?? ""
        remote.passwordSealed = try secrets.seal(request.password ?? "", context: Self.secretContext(id))
        remote.tls = tls
        remote.wireguardPeerID = request.wireguardPeerID
        remote.captureMode = capture
        remote.watermarkColumn = try RemoteDatabaseRules.watermarkColumn(request.watermarkColumn, captureMode: capture)
        remote.targetPrefix = request.targetPrefix ?? ""
        remote.continuous = false
        remote.continuousMode = .incremental
        remote.continuousStrategy = .latestWins
        remote.pollIntervalMilliseconds = 1000
        remote.status = .untested
        try await checkDestination(remote)
        try await remote.create(on: database)
        _ = try? await test(remote)
        return remote
    }

    /// The remote databases of a tenant.
    package func list(tenant: Tenant) async throws -> [RemoteDatabase] {
        try await RemoteDatabase.query(on: database).filter(\.$tenantID == tenant.requireID()).sort(\.$name).all()
    }

    /// One remote database of a tenant.
    package func find(_ id: UUID, tenant: Tenant) async throws -> RemoteDatabase {
        guard let remote = try await RemoteDatabase.find(id, on: database), remote.tenantID == tenant.id else {
            throw PlatformError.notFound("remote database", id.uuidString)
        }
        return remote
    }

    /// Applies an update; new connection details are tested again.
    package func update(_ remote: RemoteDatabase, with update: RemoteDatabaseUpdate, caller: Caller) async throws -> RemoteDatabase {
        let engine = remote.engine
        // The stored password is opened only when the rule needs to know whether there is one to protect.
        let storedPasswordIsEmpty =
            update.movesServer && update.password == nil
            ? try secrets.open(remote.passwordSealed, context: Self.secretContext(try remote.requireID())).isEmpty : true
        try RemoteConnectionRules.authorize(
            .init(
                engine: engine, isNew: false, setsDatabase: update.database != nil,
                movesServer: update.movesServer, givesPassword: update.password != nil),
            caller: caller, storedPasswordIsEmpty: storedPasswordIsEmpty)
        if let host = update.host {
            guard !host.isEmpty || engine == .sqlite else { throw PlatformError.validation(field: "host", "must not be empty") }
            remote.host = host
        }
        if let port = update.port {
            try RemoteDatabaseRules.port(port)
            remote.port = port
        }
        if let name = update.database {
            guard !name.isEmpty else { throw PlatformError.validation(field: "database", "must not be empty") }
            remote.databaseName = engine == .sqlite ? try sqlitePaths.check(name) : name
        }
        if let schema = update.schema { remote.schemaName = schema }
        if let username = update.username { remote.username = username }
        if let password = update.password {
            remote.passwordSealed = try secrets.seal(password, context: Self.secretContext(try remote.requireID()))
        }
        if let tls = update.tls { remote.tls = try RemoteDatabaseRules.tls(tls, engine: engine) }
        if let mode = update.captureMode { remote.captureMode = try RemoteDatabaseRules.captureMode(mode, engine: engine) }
        // A watermark belongs to the compare capture mode: leaving that mode drops it.
        if let column = update.watermarkColumn {
            remote.watermarkColumn = try RemoteDatabaseRules.watermarkColumn(column, captureMode: remote.captureMode)
        } else if remote.captureMode != .compare {
            remote.watermarkColumn = nil
        }
        if let mode = update.continuousMode {
            let parsed = try RemoteDatabaseRules.mode(mode, field: "continuous_mode")
            guard parsed == .incremental || parsed == .bidirectional else {
                throw PlatformError.validation(field: "continuous_mode", "must be incremental or bidirectional")
            }
            remote.continuousMode = parsed
        }
        if let strategy = update.continuousStrategy {
            remote.continuousStrategy = try RemoteDatabaseRules.strategy(strategy, field: "continuous_strategy")
        }
        if let interval = update.pollIntervalMilliseconds {
            guard (100...3_600_000).contains(interval) else {
                throw PlatformError.validation(field: "poll_interval_ms", "must be between 100 and 3600000")
            }
            remote.pollIntervalMilliseconds = interval
        }
        if let continuous = update.continuous {
            if continuous, !remote.continuous { try await limits.admitAnother(.continuous, tenantID: remote.tenantID, on: database) }
            remote.continuous = continuous
        }
        // Compare mode has no change to wake for: each run reads both tables, which is a scheduled job's
        // work, not a loop's.
        if remote.continuous, remote.captureMode == .compare {
            throw PlatformError.validation(
                field: update.continuous == true ? "continuous" : "capture_mode",
                "the compare capture mode runs as scheduled jobs, not continuously")
        }
        switch update.route {
        case let .through(peer)?:
            try await requirePeer(peer, tenantID: remote.tenantID)
            remote.wireguardPeerID = peer
        case .direct?:
            guard engine == .sqlite || !remote.host.isEmpty else {
                throw PlatformError.validation(field: "wireguard_peer_id", "cannot be cleared while host is empty: give a host too")
            }
            remote.wireguardPeerID = nil
        case nil:
            break
        }
        if update.changesConnection { try await checkDestination(remote) }
        try await remote.save(on: database)
        if update.changesConnection { _ = try? await test(remote) }
        return remote
    }

    /// Unregisters a remote database; removes its capture objects from the remote unless `keepCapture`
    /// (or the remote cannot be reached: then they stay, and the answer says so).
    package func delete(_ remote: RemoteDatabase, keepCapture: Bool) async throws -> (captureRemoved: Bool, message: String?) {
        var removed = false
        var message: String?
        if !keepCapture {
            do {
                let connector = try await connector(for: remote)
                do {
                    for table in try await trackedTables(of: remote) {
                        try await connector.uninstallCapture(on: table)
                    }
                    removed = true
                } catch {
                    message = "capture objects were left on the remote: \(Self.describe(error))"
                }
                await connector.close()
            } catch {
                // Unreachable now, or no longer allowed (a destination or path the policy refuses): the
                // registration still goes.
                message = "capture objects were left on the remote: \(Self.describe(error))"
            }
        }
        try await remote.delete(on: database)
        return (removed, message)
    }

    /// Tests the connection and records the outcome as the remote's status.
    package func test(_ remote: RemoteDatabase) async throws -> ConnectionTestResult {
        let connector = try await connector(for: remote)
        let outcome: Result<ConnectionTestResult, ConnectorError>
        do {
            outcome = .success(try await closing(connector) { try await connector.test() })
        } catch let error as ConnectorError {
            outcome = .failure(error)
        }
        switch outcome {
        case let .success(result):
            try await recordReachability(of: remote, failure: nil)
            return result
        case let .failure(error):
            try await recordReachability(of: remote, failure: error)
            let field = Self.field(blamedFor: error.code).map { ["field": $0] } ?? [:]
            throw PlatformError(code: error.code.rawValue, status: 422, message: error.message, details: field)
        }
    }

    /// The registration field a failed connection test points at (the panel shows the error there).
    static func field(blamedFor code: ConnectorError.Code) -> String? {
        switch code {
        case .unreachable, .timeout: "host"
        case .authFailed: "password"
        case .permissionDenied: "username"
        case .databaseNotFound: "database"
        case .tlsRequired, .tlsUntrusted: "tls"
        default: nil
        }
    }

    /// Records whether the remote answered (a test, or a sync job that could or could not connect): its
    /// status, since when it fails, and on a change an event (so a rule hears it once).
    package func recordReachability(of remote: RemoteDatabase, failure: ConnectorError?, now: Date = Date()) async throws {
        let wasFailing = remote.status.isFailed
        if let failure {
            remote.status = .failed(failure.code)
            remote.statusMessage = failure.message
            if !wasFailing || remote.unreachableSince == nil { remote.unreachableSince = now }
        } else {
            remote.status = .ok
            remote.statusMessage = nil
            remote.unreachableSince = nil
        }
        try await remote.save(on: database)
        guard let id = remote.id, wasFailing != (failure != nil) else { return }
        let message =
            if let failure { "remote database '\(remote.name)' cannot be reached: \(failure.message)" } else {
                "remote database '\(remote.name)' answers again"
            }
        await events.announce(
            failure == nil ? .remoteDatabaseReachable : .remoteDatabaseUnreachable, tenantID: remote.tenantID,
            subject: "remote-database:\(id)", message: message,
            data: [("remote_database_id", .id(id)), ("remote_database", .string(remote.name)), ("status", .string(remote.status.rawValue))])
    }

    /// A connector to the remote database: at its WireGuard peer's tunnel address when it names a peer,
    /// otherwise at `host`; pooling up to `maxConnections` (nil: the connectors' default); with
    /// `readOnlyByDefault`, a statement outside a `READ WRITE` transaction changes nothing (a generated API's).
    package func connector(
        for remote: RemoteDatabase, maxConnections: Int? = nil, readOnlyByDefault: Bool = false
    ) async throws -> any DatabaseConnector {
        let engine = remote.engine
        // A file swapped for a link since registration is caught here, where it would be opened.
        let databaseName = engine == .sqlite ? try sqlitePaths.check(remote.databaseName) : remote.databaseName
        let password = try secrets.open(remote.passwordSealed, context: Self.secretContext(try remote.requireID()))
        var host = remote.host
        if let peerID = remote.wireguardPeerID {
            guard let address = try await activePeer(peerID, tenantID: remote.tenantID)?.address else {
                throw PlatformError.conflict("peer_unavailable", "the WireGuard peer this remote database goes through is revoked or gone")
            }
            host = address
        }
        let name = host
        if engine != .sqlite {
            // The connection goes to the address checked (a name that resolves elsewhere a moment later, as in
            // DNS rebinding, changes nothing); a certificate is still checked against the name.
            host = try await destinations.check(host: host, port: remote.port, tenantNetwork: try await tenantNetwork(remote.tenantID))
        }
        var spec = ConnectionSpec(
            engine: engine, host: host, port: remote.port, database: databaseName,
            schema: remote.schemaName, username: remote.username, password: password,
            tls: remote.tls, connectTimeout: 10)
        if IPRange.bytes(of: name) == nil { spec.tlsServerName = name }
        spec.readOnlyByDefault = readOnlyByDefault
        return try Self.makeConnector(spec, maxConnections: maxConnections)
    }

    /// Refuses, before it is saved, a remote database the hub would not connect to (a clear 422 naming the
    /// field; the same check runs again at every connection).
    func checkDestination(_ remote: RemoteDatabase) async throws {
        guard remote.engine != .sqlite, remote.wireguardPeerID == nil else { return }
        _ = try await destinations.check(host: remote.host, port: remote.port, tenantNetwork: try await tenantNetwork(remote.tenantID))
    }

    /// The tenant's VPN network, if it has one.
    func tenantNetwork(_ tenantID: UUID) async throws -> IPv4Network? {
        guard let network = try await VPNNetwork.query(on: database).filter(\.$tenantID == tenantID).first() else { return nil }
        return try? IPv4Network(parsing: network.network)
    }

    /// An active VPN peer of the tenant.
    func activePeer(_ id: UUID, tenantID: UUID) async throws -> VPNPeer? {
        try await VPNPeer.query(on: database).filter(\.$id == id).filter(\.$tenantID == tenantID).filter(\.$revokedAt == nil).first()
    }

    /// Checks a `wireguard_peer_id` against the tenant's active peers.
    func requirePeer(_ id: UUID?, tenantID: UUID) async throws {
        guard let id else { return }
        guard try await activePeer(id, tenantID: tenantID) != nil else {
            throw PlatformError.validation(field: "wireguard_peer_id", "is not an active VPN peer of this tenant")
        }
    }

    /// A connector to a tenant's cloud store, as the tenant's own login.
    package func cloudConnector(for tenant: Tenant, maxConnections: Int? = nil, readOnlyByDefault: Bool = false) async throws -> (
        any DatabaseConnector, schema: String
    ) {
        try await stores.prepareSync(tenant, on: database)
        let password = try tenants.connectionInfo(for: tenant, revealPassword: true).password
        var spec = stores.syncSpec(for: tenant, password: password)
        spec.readOnlyByDefault = readOnlyByDefault
        return (try Self.makeConnector(spec, maxConnections: maxConnections), spec.schema ?? "main")
    }

    /// The schema of a tenant's cloud tables.
    package func cloudSchema(for tenant: Tenant) -> String {
        stores.syncSpec(for: tenant, password: nil).schema ?? "main"
    }

    static func makeConnector(_ spec: ConnectionSpec, maxConnections: Int? = nil) throws -> any DatabaseConnector {
        var spec = spec
        if let maxConnections { spec.maxConnections = maxConnections }
        return switch spec.engine {
        case .postgresql: try PostgresConnector(spec: spec)
        case .sqlite: SQLiteConnector(spec: spec)
        case .mssql: SQLServerConnector(spec: spec)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? ConnectorError { return "\(error.code.rawValue): \(error.message)" }
        if let error = error as? SyncError { return error.message }
        if let error = error as? PlatformError { return error.message }
        return "\(error)"
    }
}

/// `schema.name` texts of table references (how jobs, cursors and conflicts name tables).
enum TableNames {
    static func parse(_ text: String, defaultSchema: String = "public") throws -> TableRef {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        guard let last = parts.last, !last.isEmpty else {
            throw PlatformError.validation(field: "tables", "'\(text)' is not a table name")
        }
        return TableRef(schema: parts.count == 2 ? parts[0] : defaultSchema, name: last)
    }
}
