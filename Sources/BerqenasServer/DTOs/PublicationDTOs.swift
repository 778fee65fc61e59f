import BerqenasPlatform
import OpenAPIKit
import Vapor

extension PublicationRequest {
    /// Creating names the peer and both ports; a change sends only what changes.
    static func schema(creating: Bool) -> JSONSchema {
        WireSchema.of(Self.self, .request, requiring: creating ? ["peer_id", "target_port", "public_port"] : [])
    }
}

/// A publication as the API shows it.
struct PublicationResponse: Content {
    let id: UUID
    let peerID: UUID
    @ExplicitNull var peerName: String?
    let targetPort: Int
    let publicPort: Int
    let allowedCIDRs: [String]
    let enabled: Bool
    let state: PublicationState
    @ExplicitNull var error: String?
    /// How the hub forwards it: `nat`, `relay` or `none`.
    let mode: String
    @ExplicitNull var createdAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, peerID = "peer_id", peerName = "peer_name", targetPort = "target_port", publicPort = "public_port"
        case allowedCIDRs = "allowed_cidrs", enabled, state, error, mode, createdAt = "created_at"
    }

    init(_ view: PublicationView) throws {
        let publication = view.publication
        id = try publication.requireID()
        peerID = publication.peerID
        peerName = view.peerName
        targetPort = publication.targetPort
        publicPort = publication.publicPort
        allowedCIDRs = publication.allowedList
        enabled = publication.enabled
        state = view.state
        error = view.error
        mode = view.mode.rawValue
        createdAt = publication.createdAt
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["mode": .string(allowedValues: ["nat", "relay", "none"])])
}

/// `GET …/publications`.
struct PublicationList: Content {
    let items: [PublicationResponse]

    static let schema = WireSchema.of(Self.self, .response)
}

/// `GET …/publications/{id}/stats`: totals since the publication was made.
struct PublicationStats: Content {
    let id: UUID
    let connections: Int
    let bytesIn: Int
    let bytesOut: Int
    let mode: String

    enum CodingKeys: String, CodingKey {
        case id, connections, bytesIn = "bytes_in", bytesOut = "bytes_out", mode
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["mode": .string(allowedValues: ["nat", "relay", "none"])])
}
