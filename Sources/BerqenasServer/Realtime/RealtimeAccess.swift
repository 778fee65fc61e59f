import BerqenasPlatform
import FluentKit
import Foundation

/// Who may follow which topic: the REST API's rules. Admins follow anything; a tenant's users follow
/// their tenant, its jobs and its remote databases; the platform's events are the admins'.
enum RealtimeAccess {
    /// The tenant `topic` belongs to (nil: the platform), if `caller` may follow it.
    static func tenant(of topic: EventTopic, for caller: Caller, on database: any Database) async throws -> UUID? {
        let tenantID: UUID?
        switch topic {
        case .platform:
            try caller.requireAdmin()
            return nil
        case let .tenant(name), let .tenantSync(name), let .tenantVPN(name):
            guard let tenant = try await Tenant.query(on: database).filter(\.$name == name).first() else {
                // Like the REST API: another tenant's name is refused before anything about it is looked up.
                if !caller.isAdmin { throw PlatformError.forbidden("you may not access another tenant") }
                throw PlatformError.notFound("tenant", name)
            }
            tenantID = try tenant.requireID()
        case let .job(id):
            tenantID = try await SyncJob.find(id, on: database)?.tenantID
            if tenantID == nil { throw PlatformError.notFound("sync job", id.uuidString) }
        case let .remoteDatabase(id):
            tenantID = try await RemoteDatabase.find(id, on: database)?.tenantID
            if tenantID == nil { throw PlatformError.notFound("remote database", id.uuidString) }
        }
        guard let tenantID, caller.isAdmin || caller.tenantID == tenantID else {
            // Another tenant's job or database is answered as if it did not exist, as the REST API does.
            switch topic {
            case let .job(id): throw PlatformError.notFound("sync job", id.uuidString)
            case let .remoteDatabase(id): throw PlatformError.notFound("remote database", id.uuidString)
            default: throw PlatformError.forbidden("you may not access another tenant")
            }
        }
        return tenantID
    }

    /// Whether `caller`, as they are now, may still follow a topic of `tenantID`.
    static func mayRead(_ topic: EventTopic, tenantID: UUID?, _ caller: Caller) -> Bool {
        guard let tenantID else { return caller.isAdmin }
        return caller.isAdmin || caller.tenantID == tenantID
    }
}
