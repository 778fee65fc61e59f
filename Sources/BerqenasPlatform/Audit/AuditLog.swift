import FluentKit
import Foundation

/// Writes and queries the audit trail.
package struct AuditLog: Sendable {
    let database: any Database

    /// Creates the log over the system database.
    package init(database: any Database) {
        self.database = database
    }

    /// The longest text an entry's field keeps.
    static let fieldLimit = 128

    /// Stores one entry.
    package func record(_ entry: AuditEntry) async throws {
        // Fields may come from unauthenticated input (the username of a failed sign-in): stored bounded.
        entry.actor = entry.actor.map { String($0.prefix(Self.fieldLimit)) }
        entry.tenant = entry.tenant.map { String($0.prefix(Self.fieldLimit)) }
        entry.target = entry.target.map { String($0.prefix(Self.fieldLimit)) }
        entry.clientAddress = entry.clientAddress.map { String($0.prefix(Self.fieldLimit)) }
        try await entry.create(on: database)
    }

    /// Filters for reading the trail.
    package struct Filter: Sendable {
        package var actor: String?
        package var tenant: String?
        package var action: String?
        package var outcome: String?
        package var since: Date?
        package var until: Date?

        /// Creates a filter; nil means any.
        package init(
            actor: String? = nil, tenant: String? = nil, action: String? = nil, outcome: String? = nil,
            since: Date? = nil, until: Date? = nil
        ) {
            self.actor = actor
            self.tenant = tenant
            self.action = action
            self.outcome = outcome
            self.since = since
            self.until = until
        }
    }

    /// Newest first, limited to what the caller may see: admins everything, tenant admins their tenant.
    package func entries(matching filter: Filter, by caller: Caller, limit: Int, offset: Int)
        async throws -> (items: [AuditEntry], total: Int)
    {
        var query = AuditEntry.query(on: database)
        if !caller.isAdmin {
            guard caller.role == .tenantAdmin, let tenantName = caller.tenantName else {
                throw PlatformError.forbidden("reading the audit trail needs the admin or tenant_admin role")
            }
            query = query.filter(\.$tenant == tenantName)
        }
        if let actor = filter.actor { query = query.filter(\.$actor == actor) }
        if let tenant = filter.tenant { query = query.filter(\.$tenant == tenant) }
        if let action = filter.action { query = query.filter(\.$action == action) }
        if let outcome = filter.outcome { query = query.filter(\.$outcome == outcome) }
        if let since = filter.since { query = query.filter(\.$occurredAt >= since) }
        if let until = filter.until { query = query.filter(\.$occurredAt < until) }
        let total = try await query.count()
        let items = try await query.sort(\.$occurredAt, .descending).range(offset..<(offset + limit)).all()
        return (items, total)
    }
}
