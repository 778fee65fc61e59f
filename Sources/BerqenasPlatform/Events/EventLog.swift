import FluentKit
import Foundation

/// Writes and reads the event log (what the realtime feed will carry).
package struct EventLog: Sendable {
    let database: any Database

    package init(database: any Database) {
        self.database = database
    }

    /// Records an event; a failure to write it is returned to the caller, which decides whether it matters.
    func record(_ kind: String, tenantID: UUID, subject: String, message: String) async throws {
        try await PlatformEvent(tenantID: tenantID, kind: kind, subject: subject, message: message).create(on: database)
    }

    /// The tenant's events numbered after `after`, oldest first, at most `limit`; optionally of kinds
    /// starting with `kindPrefix` (`vpn.peer.`).
    package func events(of tenant: Tenant, after: Int, limit: Int, kindPrefix: String?) async throws -> [PlatformEvent] {
        guard (1...1000).contains(limit) else { throw PlatformError.validation(field: "limit", "between 1 and 1000") }
        guard after >= 0 else { throw PlatformError.validation(field: "after", "an event number (0 or more)") }
        var query = PlatformEvent.query(on: database).filter(\.$tenantID == (try tenant.requireID())).filter(\.$id > after)
        if let kindPrefix, !kindPrefix.isEmpty { query = query.filter(\.$kind, .custom("LIKE"), Self.likePrefix(kindPrefix)) }
        return try await query.sort(\.$id).limit(limit).all()
    }

    /// `prefix%` with LIKE's own characters escaped away (only letters, digits, `.`, `_` and `-` are kept).
    static func likePrefix(_ prefix: String) -> String {
        String(prefix.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }) + "%"
    }
}
