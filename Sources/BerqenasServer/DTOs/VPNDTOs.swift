import BerqenasNetwork
import BerqenasPlatform
import OpenAPIKit
import Vapor

/// `PUT …/vpn`: turn the tenant's network on or off.
package struct VPNBody: Content {
    package let enabled: Bool
    package let spokeToSpoke: Bool?

    package init(enabled: Bool, spokeToSpoke: Bool? = nil) {
        self.enabled = enabled
        self.spokeToSpoke = spokeToSpoke
    }

    enum CodingKeys: String, CodingKey {
        case enabled, spokeToSpoke = "spoke_to_spoke"
    }

    static let schema = WireSchema.of(Self.self, .request)
}

/// A tenant's VPN as the API shows it (never the hub's private key).
struct VPNResponse: Content {
    let enabled: Bool
    @ExplicitNull var network: String?
    @ExplicitNull var hubAddress: String?
    @ExplicitNull var publicKey: String?
    @ExplicitNull var endpoint: String?
    @ExplicitNull var listenPort: Int?
    @ExplicitNull var interface: String?
    let spokeToSpoke: Bool
    let state: VPNNetworkState
    /// Why applying failed (state `error`).
    @ExplicitNull var error: String?
    let backend: String

    enum CodingKeys: String, CodingKey {
        case enabled, network, hubAddress = "hub_address", publicKey = "public_key", endpoint, listenPort = "listen_port"
        case interface, spokeToSpoke = "spoke_to_spoke", state, error, backend
    }

    init(_ network: VPNNetwork?, service: VPNService) async {
        enabled = network?.enabled ?? false
        self.network = network?.network
        hubAddress = network.flatMap { try? IPv4Network(parsing: $0.network) }.map { TenantAddressPool.hubAddress(in: $0).description }
        publicKey = network?.hubPublicKey
        endpoint = network.flatMap(service.endpoint(of:))
        listenPort = network?.listenPort
        interface = network?.interfaceName
        spokeToSpoke = network?.spokeToSpoke ?? false
        (state, error) = await service.state(of: network)
        backend = await service.effectiveBackend().rawValue
    }

    static let schema = WireSchema.of(Self.self, .response, overriding: ["backend": .string(allowedValues: ["kernel", "wireguard-go", "none"])])
}

/// `POST …/vpn/peers`.
extension VPNPeerRequest {
    static let schema = WireSchema.of(Self.self, .request)
}

/// A peer as the API shows it (never a private key); the live fields come from the status poller
/// (`connected`: a handshake in the last 180 s).
struct VPNPeerResponse: Content {
    let id: UUID
    let name: String
    @ExplicitNull var address: String?
    let publicKey: String
    @ExplicitNull var persistentKeepalive: Int?
    let keysGeneratedByHub: Bool
    let connected: Bool
    @ExplicitNull var latestHandshake: Date?
    @ExplicitNull var endpoint: String?
    let rxBytes: Int
    let txBytes: Int
    @ExplicitNull var createdAt: Date?
    /// The wg-quick file, only in the response that created a peer with hub-generated keys.
    let config: String?

    enum CodingKeys: String, CodingKey {
        case id, name, address, publicKey = "public_key", persistentKeepalive = "persistent_keepalive"
        case keysGeneratedByHub = "keys_generated_by_hub", connected, latestHandshake = "latest_handshake", endpoint
        case rxBytes = "rx_bytes", txBytes = "tx_bytes", createdAt = "created_at", config
    }

    init(_ peer: VPNPeer, config: String? = nil) throws {
        id = try peer.requireID()
        name = peer.name
        address = peer.address
        publicKey = peer.publicKey
        persistentKeepalive = peer.persistentKeepalive
        keysGeneratedByHub = peer.privateKeySealed != nil
        connected = peer.isConnected()
        latestHandshake = peer.latestHandshake
        endpoint = peer.endpoint
        rxBytes = Int(peer.receivedBytes)
        txBytes = Int(peer.sentBytes)
        createdAt = peer.createdAt
        self.config = config
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// `GET …/vpn/peers`.
struct VPNPeerList: Content {
    let items: [VPNPeerResponse]

    static let schema = WireSchema.of(Self.self, .response)
}

/// `POST …/vpn/peers/{id}/check`.
package struct PeerCheckBody: Content {
    package let port: Int

    package init(port: Int) {
        self.port = port
    }

    static let schema = WireSchema.of(Self.self, .request)
}

/// What the check found.
struct PeerCheckResponse: Content {
    let reachable: Bool
    @ExplicitNull var latencyMs: Double?
    @ExplicitNull var error: String?

    enum CodingKeys: String, CodingKey {
        case reachable, latencyMs = "latency_ms", error
    }

    init(_ result: PeerReachability) {
        reachable = result.reachable
        latencyMs = result.latencyMilliseconds
        error = result.error
    }

    static let schema = WireSchema.of(Self.self, .response)
}
