import BerqenasPlatform
import Vapor

/// When a remote database syncs by itself.
struct ScheduleController {
    func register(on routes: any RoutesBuilder) {
        routes.grouped("tenants", ":name", "schedules").on(
            .GET,
            operation: Operation(
                id: "schedules.list", summary: "The tenant's schedules, one per remote database that has one", tag: "sync",
                responseBody: .array(items: ScheduleResponse.schema), failureStatuses: [404]
            ), use: list)
        let schedule = routes.grouped("tenants", ":name", "remote-databases", ":id", "schedule")
        schedule.on(
            .PUT,
            operation: Operation(
                id: "schedules.put",
                summary: "Sync every N minutes or on a five-field cron (UTC); runs missed while the hub was down run once",
                tag: "sync", requestBody: ScheduleRequest.schema, responseBody: ScheduleResponse.schema, failureStatuses: [404]
            ), use: put)
        schedule.on(
            .GET,
            operation: Operation(
                id: "schedules.show", summary: "A remote database's schedule and its next run", tag: "sync",
                responseBody: ScheduleResponse.schema, failureStatuses: [404]
            ), use: show)
        schedule.on(
            .DELETE,
            operation: Operation(
                id: "schedules.delete", summary: "Remove a remote database's schedule", tag: "sync", successStatus: 204,
                failureStatuses: [404]
            ), use: delete)
    }

    @Sendable
    func put(_ request: Request) async throws -> ScheduleResponse {
        let (tenant, _) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        let body = try request.content.decode(ScheduleRequest.self)
        return ScheduleResponse(try await request.berqenas.platform.schedules.put(body, remote: remote))
    }

    @Sendable
    func list(_ request: Request) async throws -> [ScheduleResponse] {
        let (tenant, _) = try await TenantScope.readable(request)
        return try await request.berqenas.platform.schedules.list(tenant: tenant).map(ScheduleResponse.init)
    }

    @Sendable
    func show(_ request: Request) async throws -> ScheduleResponse {
        let (tenant, _) = try await TenantScope.readable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        guard let schedule = try await request.berqenas.platform.schedules.find(remote) else {
            throw PlatformError.notFound("schedule of remote database", remote.name)
        }
        return ScheduleResponse(schedule)
    }

    @Sendable
    func delete(_ request: Request) async throws -> HTTPStatus {
        let (tenant, _) = try await TenantScope.writable(request)
        let remote = try await TenantScope.remoteDatabase(request, of: tenant)
        guard try await request.berqenas.platform.schedules.delete(remote) else {
            throw PlatformError.notFound("schedule of remote database", remote.name)
        }
        return .noContent
    }
}
