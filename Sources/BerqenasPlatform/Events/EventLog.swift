import DatabaseConnectors
import FluentKit
import Foundation
import Logging
import SQLKit
import Synchronization

/// Writes and reads the event log. Events are numbered in commit order (on PostgreSQL their inserts take one
/// transaction advisory lock, so a follower that has read up to N never finds a smaller number later), and each
/// recorded event rings `bell` and, on PostgreSQL, notifies `EventLog.channel` with its number so every
/// server's live feed reads it.
package struct EventLog: Sendable {
    let database: any Database
    /// Rung after each event this server records.
    package let bell: Doorbell
    /// PostgreSQL's LISTEN/NOTIFY channel that carries new events' numbers between servers.
    package static let channel = "berqenas_events"
    /// Progress events of one job are this far apart at least.
    package static let progressInterval: Duration = .milliseconds(500)

    let logger = Logger(label: "berqenas.events")
    /// Tenants' names by id (a progress event every 500 ms per job need not read the tenant each time).
    let tenantNames = TenantNames()

    package init(database: any Database, bell: Doorbell = Doorbell()) {
        self.database = database
        self.bell = bell
    }

    /// Records an event; a failure is logged, not thrown: what the event reports has happened regardless.
    package func announce(
        _ kind: EventKind, tenant: Tenant?, subject: String, message: String, data: [(String, JSONValue)] = []
    ) async {
        do {
            try await record(kind, tenant: tenant, subject: subject, message: message, data: data)
        } catch {
            logger.warning("event \(kind.rawValue) about \(subject) not recorded: \(String(describing: error))")
        }
    }

    /// `announce` for a tenant known by id; nothing when the tenant is gone (its events went with it).
    package func announce(
        _ kind: EventKind, tenantID: UUID, subject: String, message: String, data: [(String, JSONValue)] = []
    ) async {
        do {
            try await record(kind, tenantID: tenantID, subject: subject, message: message, data: data)
        } catch let error as PlatformError where error.status == 404 {
            logger.debug("event \(kind.rawValue) about \(subject) dropped: its tenant is gone")
        } catch {
            logger.warning("event \(kind.rawValue) about \(subject) not recorded: \(String(describing: error))")
        }
    }

    /// Records an event of `tenant` (nil: a platform event, for admins) and returns its number. A failure
    /// to write is returned to the caller, which decides whether it matters.
    @discardableResult
    package func record(
        _ kind: EventKind, tenant: Tenant?, subject: String, message: String, data: [(String, JSONValue)] = []
    ) async throws -> Int {
        try await insert(
            PlatformEvent(
                tenantID: tenant?.id, tenantName: tenant?.name, kind: kind, subject: subject, message: message,
                dataJSON: JSONValue.object(data).text))
    }

    /// Records a tenant event, found by id.
    /// - Throws: 404 when the tenant is gone.
    @discardableResult
    package func record(
        _ kind: EventKind, tenantID: UUID, subject: String, message: String, data: [(String, JSONValue)] = []
    ) async throws -> Int {
        guard let name = try await tenantNames.name(of: tenantID, on: database) else {
            throw PlatformError.notFound("tenant", tenantID.uuidString)
        }
        do {
            return try await insert(
                PlatformEvent(
                    tenantID: tenantID, tenantName: name, kind: kind, subject: subject, message: message, dataJSON: JSONValue.object(data).text))
        } catch {
            // Perhaps deleted by another server since its name was kept: read again next time.
            tenantNames.forget(tenantID)
            throw error
        }
    }

    private func insert(_ event: PlatformEvent) async throws -> Int {
        let id = try await database.transaction { database in
            try await Self.insert(event, on: database)
            return try event.requireID()
        }
        bell.ring()
        return id
    }

    /// One event written in the transaction `database` is in: numbered in commit order, and on PostgreSQL
    /// notified to every server when that transaction commits.
    private static func insert(_ event: PlatformEvent, on database: any Database) async throws {
        if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: orderLock))").run()
            try await event.create(on: database)
            try await sql.raw("SELECT pg_notify(\(literal: channel), \(literal: String(try event.requireID())))").run()
        } else {
            try await event.create(on: database)
        }
    }

    /// An event of a tenant known by id, made but not yet written; nil when the tenant is gone.
    package func prepared(
        _ kind: EventKind, tenantID: UUID, subject: String, message: String, data: [(String, JSONValue)] = []
    ) async throws -> PlatformEvent? {
        guard let name = try await tenantNames.name(of: tenantID, on: database) else { return nil }
        return PlatformEvent(
            tenantID: tenantID, tenantName: name, kind: kind, subject: subject, message: message, dataJSON: JSONValue.object(data).text)
    }

    /// Writes prepared events inside the caller's transaction, so that they commit with the change they
    /// report, or not at all; the caller rings `bell` once it has committed.
    package func write(_ events: [PlatformEvent], within database: any Database) async throws {
        for event in events { try await Self.insert(event, on: database) }
    }

    /// The key of the transaction lock that orders event inserts on PostgreSQL ("berqenas events").
    static let orderLock: Int64 = 0x6265_7271_6576_7473

    /// The tenant's events numbered after `after`, oldest first, at most `limit`; with `before`, the newest
    /// `limit` of those numbered below it (still oldest first: a page of a log read backwards). Optionally of
    /// kinds starting with `kindPrefix` (`vpn.peer.`). Nil `tenant`: the platform events.
    package func events(
        of tenant: Tenant?, after: Int, before: Int? = nil, limit: Int, kindPrefix: String?
    ) async throws -> [PlatformEvent] {
        guard (1...1000).contains(limit) else { throw PlatformError.validation(field: "limit", "between 1 and 1000") }
        guard after >= 0 else { throw PlatformError.validation(field: "after", "an event number (0 or more)") }
        var query = PlatformEvent.query(on: database).filter(\.$id > after)
        if let before { query = query.filter(\.$id < before) }
        if let tenant {
            query = query.filter(\.$tenantID == (try tenant.requireID()))
        } else {
            query = query.filter(\.$tenantID == nil)
        }
        if let kindPrefix, !kindPrefix.isEmpty {
            query = query.filter(.path(["kind"], schema: PlatformEvent.schema), .custom("LIKE"), .bind(Self.likePrefix(kindPrefix)))
        }
        guard before != nil else { return try await query.sort(\.$id).limit(limit).all() }
        return try await query.sort(\.$id, .descending).limit(limit).all().reversed()
    }

    /// Every event numbered after `after` and up to `upTo`, oldest first, at most `limit` (the live feed).
    package func events(after: Int, upTo: Int? = nil, limit: Int) async throws -> [PlatformEvent] {
        var query = PlatformEvent.query(on: database).filter(\.$id > after)
        if let upTo { query = query.filter(\.$id <= upTo) }
        return try await query.sort(\.$id).limit(limit).all()
    }

    /// The events of `tenantID` (nil: the platform's) numbered after `after` and up to `upTo`, oldest first,
    /// at most `limit` (a live subscriber's replay).
    package func events(ofTenant tenantID: UUID?, after: Int, upTo: Int, limit: Int) async throws -> [PlatformEvent] {
        var query = PlatformEvent.query(on: database).filter(\.$id > after).filter(\.$id <= upTo)
        query = tenantID.map { query.filter(\.$tenantID == $0) } ?? query.filter(\.$tenantID == nil)
        return try await query.sort(\.$id).limit(limit).all()
    }

    /// The number of the newest event (0: none).
    package func lastNumber() async throws -> Int {
        try await PlatformEvent.query(on: database).sort(\.$id, .descending).first()?.id ?? 0
    }

    /// Deletes the events older than `cutoff`, a thousand per statement (each a short write: writers are
    /// never held up long); returns how many.
    package func prune(before cutoff: Date) async throws -> Int {
        var total = 0
        while true {
            let ids = try await PlatformEvent.query(on: database).filter(\.$occurredAt < cutoff).sort(\.$id).limit(1000).all().compactMap(\.id)
            guard !ids.isEmpty else { return total }
            try await PlatformEvent.query(on: database).filter(\.$id ~~ ids).delete()
            total += ids.count
            if ids.count < 1000 { return total }
        }
    }

    /// `prefix%`, keeping only letters, digits, `.`, `-` and `_` (LIKE's `%` cannot come in; a `_` matches any
    /// one character, itself included, which among the known kinds only ever matches itself).
    static func likePrefix(_ prefix: String) -> String {
        String(prefix.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }) + "%"
    }
}

/// Tenants' names by id, as events record them (a tenant's name never changes; a deleted tenant's is
/// forgotten).
final class TenantNames: Sendable {
    private let names = Mutex<[UUID: String]>([:])

    func name(of id: UUID, on database: any Database) async throws -> String? {
        if let known = names.withLock({ $0[id] }) { return known }
        guard let tenant = try await Tenant.find(id, on: database) else { return nil }
        names.withLock { $0[id] = tenant.name }
        return tenant.name
    }

    func forget(_ id: UUID) {
        _ = names.withLock { $0.removeValue(forKey: id) }
    }
}

extension JSONValue {
    /// An id as event data shows it (as the API shows ids).
    package static func id(_ uuid: UUID) -> JSONValue { .string(uuid.uuidString) }

    /// A count as event data shows it.
    package static func int(_ number: Int) -> JSONValue { .number(String(number)) }
}
