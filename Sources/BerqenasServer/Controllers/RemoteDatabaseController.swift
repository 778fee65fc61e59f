import BerqenasPlatform
import DatabaseConnectors
import FluentKit
import Vapor

/// A tenant's on-premise databases: registration, tests, tables, status, sync requests.
struct RemoteDatabaseController {
    func register(on routes: any RoutesBuilder) {
        let remotes = routes.grouped("tenants", ":name", "remote-databases")
        remotes.on(
            .POST,
            operation: Operation(
                id: "remote_databases.create", summary: "Register a remote database (its password is sealed, never returned)",
                tag: "sync", requestBody: RemoteDatabaseRegistration.schema, successStatus: 201,
                responseBody: RemoteDatabaseResponse.schema, failureStatuses: [403, 404, 409, 422]
            ), use: create)
        remotes.on(
            .GET,
            operation: Operation(
                id: "remote_databases.list", summary: "A tenant's remote databases", tag: "sync",
                responseBody: .array(items: RemoteDatabaseResponse.schema), failureStatuses: [404]
            ), use: list)
        remotes.on(
            .GET, ":id",
            operation: Operation(
                id: "remote_databases.show", summary: "One remote database", tag: "sync",
                responseBody: RemoteDatabaseResponse.schema, failureStatuses: [404]
            ), use: show)
        remotes.on(
            .PATCH, ":id",
            operation: Operation(
                id: "remote_databases.update", summary: "Change a remote database (tested again when credentials change)",
                tag: "sync", requestBody: RemoteDatabaseUpdate.schema, responseBody: RemoteDatabaseResponse.schema,
                failureStatuses: [403, 404, 422]
            ), use: update)
        remotes.on(
            .DELETE, ":id",
            operation: Operation(
                id: "remote_databases.delete",
                summary: "Unregister a remote database; removes its capture objects when reachable unless keep_capture=true",
                tag: "sync", successStatus: 204,
                query: [.init(name: "keep_capture", schema: .boolean, description: "leave triggers and log tables on the remote")],
                failureStatuses: [404]
            ), use: delete)
        remotes.on(
            .POST, ":id", "test",
            operation: Operation(
                id: "remote_databases.test", summary: "Test the connection: version, latency, TLS, what sync can use",
                tag: "sync", successStatus: 200, responseBody: ConnectionTestResponse.schema, failureStatuses: [403, 404, 422]
            ), use: test)
        remotes.on(
            .GET, ":id", "tables",
            operation: Operation(
                id: "remote_databases.tables", summary: "Tables with columns, key, row estimate, and whether each can sync",
                tag: "sync", responseBody: .array(items: RemoteTableResponse.schema), failureStatuses: [404]
            ), use: tables)
        remotes.on(
            .GET, ":id", "status",
            operation: Operation(
                id: "remote_databases.status",
                summary: "Measured state: reachability, latency, last job, capture per table, pending changes, open conflicts",
                tag: "sync", responseBody: RemoteStatusResponse.schema, failureStatuses: [404]
            ), use: status)
        remotes.on(
            .POST, ":id", "sync",
            operation: Operation(
                id: "remote_databases.sync",
                summary: "Queue a sync job (one per remote database at a time: a second answers 409 sync_in_progress)",
                tag: "sync", requestBody: SyncJobRequest.schema, successStatus: 202, responseBody: JobAcceptedResponse.schema,
                failureStatuses: [404, 409]
            ), use: sync)
        remotes.on(
            .POST, ":id", "verify",
            operation: Operation(
                id: "remote_databases.verify",
                summary: "Queue a verify job: compare both sides by key-range digests without writing; with repair, carry the differences",
                tag: "sync", requestBody: VerifyRequest.schema, successStatus: 202, responseBody: JobAcceptedResponse.schema,
                failureStatuses: [404, 409, 422]
            ), use: verify)
    }

    @Sendable
    func create(_ request: Request) async throws -> Response {
        let (tenant, caller) = try await TenantScope.writable(request)
        let body = try request.content.decode(RemoteDatabaseRegistration.self)
        let remote = try await request.berqenas.platform.remoteDatabases.register(body, tenant: tenant, caller: caller)
        request.auditContext.target = "remote-database:\(remote.id?.uuidString ?? "")"
        return try await RemoteDatabaseResponse(remote).encodeResponse(status: .created, for: request)
    }

    @Sendable
    func list(_ request: Request) async throws -> [RemoteDatabaseResponse] {
        let (tenant, _) = try await TenantScope.readable(request)
        return try await request.berqenas.platform.remoteDatabases.list(tenant: tenant).map(RemoteDatabaseResponse.init)
    }

    @Sendable
    func show(_ request: Request) async throws -> RemoteDatabaseResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        return try RemoteDatabaseResponse(try await TenantScope.remoteDatabase(request, of: tenant))
    }

    @Sendable
    func update(_ request: Request) async throws -> RemoteDatabaseResponse {
        let (tenant, caller) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        let body = try request.content.decode(RemoteDatabaseUpdate.self)
        let updated = try await request.berqenas.platform.remoteDatabases.update(remote, with: body, caller: caller)
        if body.continuous == true { request.berqenas.platform.continuousSync.wake() }  // its loop starts now
        return try RemoteDatabaseResponse(updated)
    }

    @Sendable
    func delete(_ request: Request) async throws -> HTTPStatus {
        let (tenant, _) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        let keep = try QueryFlag.bool(request, "keep_capture") ?? false
        let outcome = try await request.berqenas.platform.remoteDatabases.delete(remote, keepCapture: keep)
        if let message = outcome.message { request.logger.warning("\(message)") }
        return .noContent
    }

    @Sendable
    func test(_ request: Request) async throws -> ConnectionTestResponse {
        // Opening connections is acting, not reading: tenant admins and admins only.
        let (tenant, _) = try await TenantScope.writable(request)
        return ConnectionTestResponse(
            try await request.berqenas.platform.remoteDatabases.test(try await TenantScope.remoteDatabase(request, of: tenant)))
    }

    @Sendable
    func tables(_ request: Request) async throws -> [RemoteTableResponse] {
        let (tenant, _) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        return try await request.berqenas.platform.remoteDatabases.tables(of: remote).map { RemoteTableResponse($0, engine: remote.engine) }
    }

    @Sendable
    func status(_ request: Request) async throws -> RemoteStatusResponse {
        let (tenant, caller) = try await TenantScope.readable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        // Viewers see the state without making the hub connect anywhere.
        let live = caller.role != .tenantViewer && tenant.status != .suspended
        return RemoteStatusResponse(try await request.berqenas.platform.remoteDatabases.status(of: remote, live: live))
    }

    @Sendable
    func sync(_ request: Request) async throws -> Response {
        let (tenant, caller) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        let body = try request.content.decode(SyncJobRequest.self)
        let job = try await request.berqenas.platform.syncJobs.enqueue(
            SyncRequest(
                mode: body.mode, tables: body.tables, conflictStrategy: body.conflictStrategy, dryRun: body.dryRun ?? false,
                repair: body.repair ?? false),
            remote: remote, tenant: tenant, caller: caller)
        return try await JobAcceptedResponse(jobID: try job.requireID(), status: job.status).encodeResponse(status: .accepted, for: request)
    }

    @Sendable
    func verify(_ request: Request) async throws -> Response {
        let (tenant, caller) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        let body =
            request.body.data == nil
            ? VerifyRequest(tables: nil, repair: nil, conflictStrategy: nil)
            : try request.content.decode(VerifyRequest.self)
        let job = try await request.berqenas.platform.syncJobs.enqueue(
            SyncRequest(mode: "verify", tables: body.tables, conflictStrategy: body.conflictStrategy, repair: body.repair ?? false),
            remote: remote, tenant: tenant, caller: caller)
        return try await JobAcceptedResponse(jobID: try job.requireID(), status: job.status).encodeResponse(status: .accepted, for: request)
    }
}

/// Boolean query flags (`true`/`false`), with a 422 naming the flag otherwise.
enum QueryFlag {
    static func bool(_ request: Request, _ name: String) throws -> Bool? {
        guard let raw = request.query[String.self, at: name] else { return nil }
        switch raw {
        case "true", "1": return true
        case "false", "0": return false
        default: throw PlatformError.validation(field: name, "must be true or false")
        }
    }
}
