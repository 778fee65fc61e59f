import BerqenasNetwork
import FluentKit
import Foundation

/// What a new publication asks for (absent fields of a change keep their value): the body of
/// `POST …/publications` and `PATCH …/publications/{id}`.
package struct PublicationRequest: Sendable, Codable {
    package var peerID: UUID?
    package var targetPort: Int?
    package var publicPort: Int?
    /// Nil on create: everyone (`0.0.0.0/0`).
    package var allowedCIDRs: [String]?
    package var enabled: Bool?

    package init(peerID: UUID? = nil, targetPort: Int? = nil, publicPort: Int? = nil, allowedCIDRs: [String]? = nil, enabled: Bool? = nil) {
        self.peerID = peerID
        self.targetPort = targetPort
        self.publicPort = publicPort
        self.allowedCIDRs = allowedCIDRs
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey {
        case peerID = "peer_id", targetPort = "target_port", publicPort = "public_port", allowedCIDRs = "allowed_cidrs", enabled
    }
}

/// A publication with what the API shows beside it.
package struct PublicationView: Sendable {
    package var publication: Publication
    package var peerName: String?
    package var state: PublicationState
    package var error: String?
    package var mode: PublishingMode
}

/// Sites' services published on hub ports: validation, unique public ports across tenants, enabling and
/// disabling (applied at once by the reconciler), traffic totals.
package struct PublicationService: Sendable {
    let database: any Database
    let networks: VPNService
    let events: EventLog
    /// The hub ports publications may take (`BERQENAS_PUBLISH_PORTS`).
    var allowedPorts: ClosedRange<Int> { networks.settings.publishPorts }

    let limits: TenantLimits

    package init(database: any Database, networks: VPNService, events: EventLog, limits: TenantLimits) {
        self.database = database
        self.networks = networks
        self.events = events
        self.limits = limits
    }

    /// Turns off (keeping them) the publications on ports outside the allowed range, each with an event: at
    /// start, after an operator narrowed the range.
    package func disableOutsideRange() async throws {
        let enabled = try await Publication.query(on: database).filter(\.$enabled == true).all()
        for publication in enabled where !allowedPorts.contains(publication.publicPort) {
            publication.enabled = false
            try await publication.save(on: database)
            try await events.record(
                .publicationDisabled, tenantID: publication.tenantID,
                subject: "publication:\(publication.id?.uuidString ?? "")",
                message:
                    "public port \(publication.publicPort) is outside BERQENAS_PUBLISH_PORTS (\(allowedPorts.lowerBound)-\(allowedPorts.upperBound)): disabled, not deleted"
            )
        }
    }

    /// How the hub forwards publications.
    /// How publications are applied: by this server, or by the gateway server it reports from.
    package func mode() async -> PublishingMode { await networks.reconciler.effectiveModes().publishing }

    package func create(_ request: PublicationRequest, tenant: Tenant) async throws -> Publication {
        guard let peerID = request.peerID else { throw PlatformError.validation(field: "peer_id", "required: the peer whose service is published") }
        try await activePeer(peerID, tenant: tenant)
        try await limits.admitAnother(.publications, tenantID: try tenant.requireID(), on: database)
        let publication = Publication()
        publication.tenantID = try tenant.requireID()
        publication.peerID = peerID
        publication.targetPort = try Self.port(request.targetPort, field: "target_port")
        publication.publicPort = try publicPort(request.publicPort)
        publication.allowedCIDRs = try AllowedNetworks.normalize(request.allowedCIDRs ?? ["0.0.0.0/0"])
        publication.enabled = request.enabled ?? true
        publication.connections = 0
        publication.bytesIn = 0
        publication.bytesOut = 0
        do {
            try await publication.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Self.portTaken(publication.publicPort)
        }
        await networks.reconciler.applyFirewall()
        return publication
    }

    package func list(tenant: Tenant) async throws -> [Publication] {
        try await Publication.query(on: database).filter(\.$tenantID == tenant.requireID()).sort(\.$publicPort).all()
    }

    package func find(_ id: UUID, tenant: Tenant) async throws -> Publication {
        guard let found = try await Publication.query(on: database).filter(\.$id == id).filter(\.$tenantID == tenant.requireID()).first() else {
            throw PlatformError.notFound("publication", id.uuidString)
        }
        return found
    }

    /// Changes the fields given; turning it off closes the path at once (open connections included).
    package func update(_ publication: Publication, with request: PublicationRequest, tenant: Tenant) async throws -> Publication {
        if let peerID = request.peerID {
            try await activePeer(peerID, tenant: tenant)
            publication.peerID = peerID
        }
        if request.targetPort != nil { publication.targetPort = try Self.port(request.targetPort, field: "target_port") }
        if request.publicPort != nil { publication.publicPort = try publicPort(request.publicPort) }
        if let cidrs = request.allowedCIDRs { publication.allowedCIDRs = try AllowedNetworks.normalize(cidrs) }
        if let enabled = request.enabled { publication.enabled = enabled }
        do {
            try await publication.save(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Self.portTaken(publication.publicPort)
        }
        await networks.reconciler.applyFirewall()
        return publication
    }

    package func remove(_ publication: Publication) async throws {
        try await publication.delete(on: database)
        await networks.reconciler.applyFirewall()
    }

    /// The publication with its totals brought up to date.
    package func withFreshTraffic(_ publication: Publication, tenant: Tenant) async throws -> Publication {
        try await networks.reconciler.collectPublicationTraffic()
        return try await find(try publication.requireID(), tenant: tenant)
    }

    package func view(_ publication: Publication) async throws -> PublicationView {
        let peer = try await VPNPeer.find(publication.peerID, on: database)
        let network = if let peer { try await VPNNetwork.find(peer.networkID, on: database) } else { VPNNetwork?.none }
        let (state, error) = await networks.reconciler.state(
            of: publication, peerActive: peer != nil && peer?.revokedAt == nil && peer?.address != nil,
            networkEnabled: network?.enabled ?? false)
        return PublicationView(
            publication: publication, peerName: peer?.name, state: state, error: error,
            mode: await mode())
    }

    private func activePeer(_ id: UUID, tenant: Tenant) async throws {
        let found = try await VPNPeer.query(on: database).filter(\.$id == id).filter(\.$tenantID == tenant.requireID())
            .filter(\.$revokedAt == nil).first()
        guard found != nil else { throw PlatformError.validation(field: "peer_id", "no active peer \(id.uuidString) on this tenant's network") }
    }

    private func publicPort(_ port: Int?) throws -> Int {
        let port = try Self.port(port, field: "public_port")
        guard allowedPorts.contains(port) else {
            throw PlatformError.validation(
                field: "public_port",
                "must be in the hub's publication range \(allowedPorts.lowerBound)-\(allowedPorts.upperBound) (BERQENAS_PUBLISH_PORTS), got \(port)")
        }
        return port
    }

    static func port(_ port: Int?, field: String) throws -> Int {
        guard let port else { throw PlatformError.validation(field: field, "required: a TCP port (1-65535)") }
        guard (1...65535).contains(port) else { throw PlatformError.validation(field: field, "must be a TCP port (1-65535), got \(port)") }
        return port
    }

    static func portTaken(_ port: Int) -> PlatformError {
        PlatformError.conflict("public_port_in_use", "public_port \(port) is already published (ports are unique across tenants)")
    }
}
