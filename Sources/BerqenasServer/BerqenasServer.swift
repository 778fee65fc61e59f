import BerqenasPlatform
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import PostgresNIO
import Vapor

/// Wires a Vapor application into a Berqenas hub.
package enum BerqenasServer {
    /// Opens the system database, migrates it, checks the master key, creates the first admin,
    /// and mounts the routes.
    /// - Parameters:
    ///   - app: The application to configure.
    ///   - configuration: Explicit configuration (the CLI reads it from the environment).
    ///   - hooks: Failure-injection points for tests.
    /// - Throws: `PlatformError` for an unusable configuration or a wrong master key.
    package static func configure(
        _ app: Application, configuration: PlatformConfiguration, hooks: ProvisioningHooks = ProvisioningHooks()
    ) async throws {
        try configuration.validate()
        try PrivateDataDirectory.prepare(configuration.dataDirectory)
        if let url = configuration.databaseURL { try await SystemDatabaseReach.check(url: url) }
        try useSystemDatabase(app, configuration)
        try await useWriteAheadLog(app, configuration)
        SystemMigrations.add(to: app)
        try await app.autoMigrate()

        let secrets = SecretBox(key: try MasterKeyLoader.load(configuration))
        try await MasterKeyCheck.verify(secrets, on: app.db)
        let platform = try Platform(configuration: configuration, database: app.db, secrets: secrets, bcrypt: .vapor, hooks: hooks)
        app.berqenas = BerqenasState(
            platform: platform,
            tokens: await TokenIssuer.make(secrets: secrets, lifetime: configuration.accessTokenLifetime),
            database: app.db, logger: app.logger
        )
        try await bootstrapAdmin(app, platform)
        try await platform.publications.disableOutsideRange()
        await platform.events.announce(
            .hubStarted, tenant: nil, subject: "hub:\(platform.worker.workerID)",
            message: "a hub server started (\(configuration.databaseURL == nil ? "embedded SQLite" : "PostgreSQL") system database)",
            data: [("worker", .string(platform.worker.workerID))])
        if try await !platform.restrictSharedLocks(on: app.db) {
            app.logger.warning(
                "the system database's login is not a superuser: tenant logins keep PostgreSQL's advisory locks (see docs/security.md)")
        }

        app.http.server.configuration.hostname = configuration.host
        app.http.server.configuration.port = configuration.port
        // Vapor's per-request counters and timers (by route template) only when something reads them.
        if configuration.operations.metricsEnabled { HubMetrics.bootstrap() }
        app.http.server.configuration.reportMetrics = configuration.operations.metricsEnabled
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        ContentConfiguration.global.use(encoder: encoder, for: .json)
        app.middleware = Middlewares()
        app.middleware.use(AuditMiddleware())
        app.middleware.use(ErrorResponseMiddleware())
        if !configuration.roles.contains(.api) { app.middleware.use(RoleGate(roles: configuration.roles)) }
        registerRoutes(app)
        app.responder.use { app in
            RestDispatch(endpoints: RestController().endpoints, app: app, router: app.responder.default)
        }
    }

    /// Serves HTTP and runs the background loops until SIGTERM or SIGINT, then stops them in order (see
    /// `HubServices`). The caller shuts the application down.
    package static func serve(_ app: Application) async throws {
        try await app.asyncBoot()
        var services = try HubServices.background(app.berqenas)
        if let metrics = app.berqenas.platform.configuration.operations.metricsAddress {
            services.append(MetricsListenerService(app: app, host: metrics.host, port: metrics.port))
        }
        services.append(HTTPServerService(app: app))
        try await HubServices.group(services, signals: [.sigterm, .sigint], bounded: true, logger: app.logger).run()
    }

    /// Runs `body` with the background loops running (no HTTP listener: tests send requests to the responder),
    /// then stops the loops in order. The caller shuts the application down.
    package static func withBackgroundServices<T: Sendable>(
        _ app: Application, _ body: () async throws -> T
    ) async throws -> T {
        let group = HubServices.group(try HubServices.background(app.berqenas), signals: [], logger: app.logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Only applies migrations (the `berqenas migrate` command).
    package static func migrate(_ app: Application, configuration: PlatformConfiguration) async throws {
        try PrivateDataDirectory.prepare(configuration.dataDirectory)
        if let url = configuration.databaseURL { try await SystemDatabaseReach.check(url: url) }
        try useSystemDatabase(app, configuration)
        try await useWriteAheadLog(app, configuration)
        SystemMigrations.add(to: app)
        try await app.autoMigrate()
    }

    static func registerRoutes(_ app: Application) {
        let api = app.grouped("api", "v1")
        let signedIn = api.grouped(BearerAuthMiddleware())
        RealtimeEndpoint.register(on: api)
        SystemController().register(root: app, signedIn: signedIn)
        MetricsEndpoint.register(on: app)
        AuthController().register(open: api, signedIn: signedIn)
        TenantController().register(on: signedIn)
        UserController().register(on: signedIn)
        AuditController().register(on: signedIn)
        RemoteDatabaseController().register(on: signedIn)
        SyncJobController().register(on: signedIn)
        ScheduleController().register(on: signedIn)
        VPNController().register(on: signedIn)
        PublicationController().register(on: signedIn)
        EventController().register(on: signedIn)
        DashboardController().register(on: signedIn)
        AlertController().register(on: signedIn)
        APIDefinitionController().register(on: signedIn)
        APIKeyController().register(on: signedIn)
        RestController().register(on: app)
        let panel = PanelAssets.load(from: app.berqenas.platform.configuration.panelDirectory, logger: app.logger)
        PanelController(assets: panel).register(on: app)
    }

    private static func useSystemDatabase(_ app: Application, _ configuration: PlatformConfiguration) throws {
        if let url = configuration.databaseURL {
            // PostgresNIO's own pool: its shutdown waits for every leased connection to come back and closes it,
            // so a query still running when the hub stops ends before its connection goes.
            let parsed = try SQLPostgresConfiguration(url: url).coreConfiguration
            var client = PostgresClient.Configuration(
                host: parsed.host ?? "localhost", port: parsed.port ?? 5432, username: parsed.username,
                password: parsed.password, database: parsed.database, tls: try SystemDatabaseTLS.mode(url: url))
            client.options.additionalStartupParameters = [("search_path", "public")]
            client.options.maximumConnections = max(8, 4 * System.coreCount)
            app.databases.use(.postgres(configuration: client, logger: app.logger), as: .psql)
        } else {
            app.databases.use(.sqlite(.file(configuration.systemDatabaseFile.path)), as: .sqlite)
        }
    }

    /// The embedded SQLite system database in write-ahead-log mode (kept in the file once set): readers (the
    /// event feed, the panel) no longer wait for a writer, and a commit costs one sync of the log instead of a
    /// rollback journal's several. Synchronous stays FULL, SQLite's default: a commit is on disk when it returns.
    private static func useWriteAheadLog(_ app: Application, _ configuration: PlatformConfiguration) async throws {
        guard configuration.databaseURL == nil, let sql = app.db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA journal_mode = WAL").run()
    }

    private static func bootstrapAdmin(_ app: Application, _ platform: Platform) async throws {
        let configuration = platform.configuration
        guard let generated = try await platform.users.bootstrapAdmin(password: configuration.adminPassword) else { return }
        let file = configuration.initialAdminPasswordFile
        try PrivateFile.write(generated + "\n", to: file)
        app.logger.notice("created user 'admin'; its generated password is in \(file.path) (readable by this user only)")
    }
}
