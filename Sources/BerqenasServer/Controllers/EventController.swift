import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Foundation
import OpenAPIKit
import Vapor

/// Reading a tenant's event log (peers connecting and going quiet, networks failing and recovering).
struct EventController {
    func register(on routes: any RoutesBuilder) {
        let query: [Operation.QueryParameter] = [
            .init(name: "after", schema: .integer(required: false), description: "only events numbered after this (default 0)"),
            .init(
                name: "before", schema: .integer(required: false),
                description: "the newest events numbered below this (still oldest first): reading the log backwards"),
            .init(name: "limit", schema: .integer(required: false), description: "at most this many, 1-1000 (default 100)"),
            .init(name: "kind", schema: .string(required: false), description: "kinds starting with this, e.g. sync.job."),
        ]
        routes.on(
            .GET, "tenants", ":name", "events",
            operation: Operation(
                id: "events.list", summary: "The tenant's events after a number, oldest first (follow with after=last_id)", tag: "events",
                responseBody: EventList.schema, query: query, failureStatuses: [404, 422]
            ), use: list)
        routes.on(
            .GET, "events",
            operation: Operation(
                id: "events.platform", summary: "The platform's events (hub starts, jobs taken over, tenants deleted): admins", tag: "events",
                responseBody: EventList.schema, query: query, failureStatuses: [422]
            ), use: platformList)
    }

    @Sendable
    func list(_ request: Request) async throws -> EventList {
        let (tenant, _) = try await TenantScope.readable(request)
        return try await page(of: tenant, request)
    }

    /// The platform's own events (no tenant's): admins only.
    @Sendable
    func platformList(_ request: Request) async throws -> EventList {
        try request.requireCaller().requireAdmin()
        return try await page(of: nil, request)
    }

    private func page(of tenant: Tenant?, _ request: Request) async throws -> EventList {
        let after = try number(request, "after") ?? 0
        let items = try await request.berqenas.platform.events.events(
            of: tenant, after: after, before: try number(request, "before"), limit: try number(request, "limit") ?? 100,
            kindPrefix: request.query[String.self, at: "kind"])
        return EventList(items: try items.map(EventResponse.init), lastID: items.last?.id ?? after)
    }

    private func number(_ request: Request, _ name: String) throws -> Int? {
        guard let raw = request.query[String.self, at: name] else { return nil }
        guard let value = PagingNumber.parse(raw) else {
            throw PlatformError.validation(field: name, "must be \(PagingNumber.expectation), got '\(raw.prefix(40))'")
        }
        return value
    }
}

/// One event.
struct EventResponse: Content {
    let id: Int
    /// One of `EventKind`'s words (or a newer server's).
    let kind: String
    /// The tenant's name; null for a platform event.
    @ExplicitNull var tenant: String?
    let subject: String
    let message: String
    /// What a client can act on: ids, counts, error codes (an object).
    let data: JSONValue
    /// When the event was recorded, to the millisecond.
    let occurredAt: MillisecondTime

    enum CodingKeys: String, CodingKey {
        case id, kind, tenant, subject, message, data, occurredAt = "occurred_at"
    }

    init(_ event: PlatformEvent) throws {
        guard let id = event.id else { throw Abort(.internalServerError, reason: "an event without a number") }
        self.id = id
        kind = event.kind
        tenant = event.tenantName
        subject = event.subject
        message = event.message
        data = (try? JSONValue.parse(event.dataJSON)) ?? .object([])
        occurredAt = MillisecondTime(event.occurredAt)
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// `GET …/events`: `last_id` is what to pass as `after` next time.
struct EventList: Content {
    let items: [EventResponse]
    let lastID: Int

    enum CodingKeys: String, CodingKey {
        case items, lastID = "last_id"
    }

    static let schema = WireSchema.of(Self.self, .response)
}
