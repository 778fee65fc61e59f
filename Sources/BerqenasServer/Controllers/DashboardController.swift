import BerqenasPlatform
import Foundation
import OpenAPIKit
import Vapor

/// `GET /api/v1/dashboard/stats`: the panel's figures. Admins get the platform's (or a tenant's with
/// `?tenant=`); a tenant's users get their tenant's.
struct DashboardController {
    func register(on routes: any RoutesBuilder) {
        routes.on(
            .GET, "dashboard", "stats",
            operation: Operation(
                id: "dashboard.stats", summary: "Figures for the panel: the platform's (admins) or a tenant's, with 24 hourly points",
                tag: "dashboard", responseBody: DashboardStatsResponse.schema,
                query: [.init(name: "tenant", schema: .string(required: false), description: "a tenant's figures (admins; others get their own)")],
                failureStatuses: [404]
            ), use: stats)
    }

    @Sendable
    func stats(_ request: Request) async throws -> DashboardStatsResponse {
        let caller = try request.requireCaller()
        let platform = request.berqenas.platform
        let tenant: Tenant?
        if let name = request.query[String.self, at: "tenant"] {
            // Like the REST API: another tenant's name is refused before it is looked up.
            if !caller.isAdmin, caller.tenantName != name { throw PlatformError.forbidden("you may not access another tenant") }
            let named = try await platform.tenants.find(name)
            try caller.requireRead(tenant: try named.requireID())
            tenant = named
        } else if caller.isAdmin {
            tenant = nil
        } else {
            guard let tenantID = caller.tenantID, let own = try await Tenant.find(tenantID, on: request.db) else {
                throw PlatformError.forbidden("no tenant")
            }
            tenant = own
        }
        return DashboardStatsResponse(try await platform.dashboard.figures(of: tenant), tenant: tenant?.name)
    }
}
