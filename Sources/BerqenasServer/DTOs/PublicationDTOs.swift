import BerqenasPlatform
import OpenAPIKit
import Vapor

/// `POST …/publications` and `PATCH …/publications/{id}` (a change sends only what changes).
package struct PublicationBody: Content {
    package let peerID: UUID?
    package let targetPort: Int?
    package let publicPort: Int?
    package let allowedCIDRs: [String]?
    package let enabled: Bool?

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

    var request: PublicationRequest {
        PublicationRequest(peerID: peerID, targetPort: targetPort, publicPort: publicPort, allowedCIDRs: allowedCIDRs, enabled: enabled)
    }

    static func schema(creating: Bool) -> JSONSchema {
        .object(properties: [
            "peer_id": .string(format: .uuid, required: creating), "target_port": .integer(required: creating),
            "public_port": .integer(required: creating), "allowed_cidrs": .array(required: false, items: .string),
            "enabled": .boolean(required: false),
        ])
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

    static let schema: JSONSchema = .object(properties: [
        "id": .string(format: .uuid), "peer_id": .string(format: .uuid), "peer_name": .string(nullable: true),
        "target_port": .integer, "public_port": .integer, "allowed_cidrs": .array(items: .string), "enabled": .boolean,
        "state": .string(allowedValues: PublicationState.allowedValues), "error": .string(nullable: true),
        "mode": .string(allowedValues: ["nat", "relay", "none"]), "created_at": .string(format: .dateTime, nullable: true),
    ])
}

/// `GET …/publications`.
struct PublicationList: Content {
    let items: [PublicationResponse]

    static let schema: JSONSchema = .object(properties: ["items": .array(items: PublicationResponse.schema)])
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

    static let schema: JSONSchema = .object(properties: [
        "id": .string(format: .uuid), "connections": .integer, "bytes_in": .integer, "bytes_out": .integer,
        "mode": .string(allowedValues: ["nat", "relay", "none"]),
    ])
}
