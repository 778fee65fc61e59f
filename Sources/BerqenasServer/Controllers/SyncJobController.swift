import BerqenasPlatform
import BerqenasSync
import Vapor

/// A tenant's sync jobs and conflicts.
struct SyncJobController {
    func register(on routes: any RoutesBuilder) {
        let jobs = routes.grouped("tenants", ":name", "sync-jobs")
        jobs.on(
            .GET,
            operation: Operation(
                id: "sync_jobs.list", summary: "Sync jobs, newest first", tag: "sync",
                responseBody: Page<SyncJobResponse>.schema(of: SyncJobResponse.schema),
                query: PageRequest.parameters + [
                    .init(name: "remote_database_id", schema: .string(format: .uuid), description: "only this remote database's jobs"),
                    .init(
                        name: "status", schema: .string(allowedValues: SyncJobStatus.allowedValues),
                        description: "only jobs in this state"),
                ],
                failureStatuses: [404, 422]
            ), use: list)
        jobs.on(
            .GET, ":id",
            operation: Operation(
                id: "sync_jobs.show", summary: "One job: status, progress, per-table results, error", tag: "sync",
                responseBody: SyncJobResponse.schema, failureStatuses: [404]
            ), use: show)
        jobs.on(
            .POST, ":id", "cancel",
            operation: Operation(
                id: "sync_jobs.cancel", summary: "Cancel a queued job, or a running one at its next batch", tag: "sync",
                successStatus: 200, responseBody: SyncJobResponse.schema, failureStatuses: [404, 409]
            ), use: cancel)
        jobs.on(
            .POST, ":id", "rollback",
            operation: Operation(
                id: "sync_jobs.rollback",
                summary: "Queue a job restoring the rows this job changed that nobody changed since (those are listed)",
                tag: "sync", successStatus: 202, responseBody: JobAcceptedResponse.schema, failureStatuses: [404, 409]
            ), use: rollback)

        let conflicts = routes.grouped("tenants", ":name", "conflicts")
        conflicts.on(
            .GET,
            operation: Operation(
                id: "conflicts.list", summary: "Rows changed differently on both sides", tag: "sync",
                responseBody: Page<ConflictResponse>.schema(of: ConflictResponse.schema),
                query: PageRequest.parameters + [
                    .init(name: "status", schema: .string(allowedValues: ConflictStatus.allowedValues), description: "open or resolved"),
                    .init(name: "remote_database_id", schema: .string(format: .uuid), description: "only this remote database's"),
                ],
                failureStatuses: [404, 422]
            ), use: listConflicts)
        conflicts.on(
            .POST, ":id", "resolve",
            operation: Operation(
                id: "conflicts.resolve", summary: "Apply a decision to both sides (cloud, local, or a custom row) and record who made it",
                tag: "sync", requestBody: ResolveConflictRequest.schema, successStatus: 200, responseBody: ConflictResponse.schema,
                failureStatuses: [404, 409]
            ), use: resolve)
    }

    private func job(_ request: Request, _ tenant: Tenant) async throws -> SyncJob {
        let id = try TenantScope.id(request, "id", what: "sync job")
        request.auditContext.target = "sync-job:\(id.uuidString)"
        return try await request.berqenas.platform.syncJobs.find(id, tenant: tenant)
    }

    private func uuidQuery(_ request: Request, _ name: String) throws -> UUID? {
        guard let text = request.query[String.self, at: name] else { return nil }
        guard let id = UUID(uuidString: text) else { throw PlatformError.validation(field: name, "must be a UUID") }
        return id
    }

    @Sendable
    func list(_ request: Request) async throws -> Page<SyncJobResponse> {
        let (tenant, _) = try await TenantScope.readable(request)
        let page = try PageRequest(request)
        let result = try await request.berqenas.platform.syncJobs.list(
            tenant: tenant, remoteID: try uuidQuery(request, "remote_database_id"), status: request.query[String.self, at: "status"],
            limit: page.limit, offset: page.offset)
        return Page(items: try result.items.map(SyncJobResponse.init), total: result.total, limit: page.limit, offset: page.offset)
    }

    @Sendable
    func show(_ request: Request) async throws -> SyncJobResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        return try SyncJobResponse(try await job(request, tenant))
    }

    @Sendable
    func cancel(_ request: Request) async throws -> SyncJobResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        return try SyncJobResponse(try await request.berqenas.platform.syncJobs.cancel(try await job(request, tenant)))
    }

    @Sendable
    func rollback(_ request: Request) async throws -> Response {
        let (tenant, caller) = try await TenantScope.writable(request)
        let original = try await job(request, tenant)
        let remote = try await request.berqenas.platform.remoteDatabases.find(original.remoteDatabaseID, tenant: tenant)
        let job = try await request.berqenas.platform.syncJobs.rollback(original, remote: remote, caller: caller)
        return try await JobAcceptedResponse(jobID: try job.requireID(), status: job.status).encodeResponse(status: .accepted, for: request)
    }

    @Sendable
    func listConflicts(_ request: Request) async throws -> Page<ConflictResponse> {
        let (tenant, _) = try await TenantScope.readable(request)
        let page = try PageRequest(request)
        let result = try await request.berqenas.platform.conflicts.list(
            tenant: tenant, status: request.query[String.self, at: "status"], remoteID: try uuidQuery(request, "remote_database_id"),
            limit: page.limit, offset: page.offset)
        return Page(items: try result.items.map(ConflictResponse.init), total: result.total, limit: page.limit, offset: page.offset)
    }

    @Sendable
    func resolve(_ request: Request) async throws -> ConflictResponse {
        let (tenant, caller) = try await TenantScope.writable(request)
        let id = try TenantScope.id(request, "id", what: "conflict")
        request.auditContext.target = "conflict:\(id.uuidString)"
        let conflict = try await request.berqenas.platform.conflicts.find(id, tenant: tenant)
        let body = try ResolveConflictRequest.exact(request)
        return try ConflictResponse(
            try await request.berqenas.platform.conflicts.resolve(
                conflict, winner: body.winner, row: body.row, tenant: tenant, caller: caller))
    }
}
