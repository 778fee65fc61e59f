import BerqenasNetwork
import BerqenasPlatform
import OpenAPIKit
import Vapor

/// `PUT …/vpn`: turn the tenant's network on or off.
struct VPNBody: Content {
    let enabled: Bool

    static let schema: JSONSchema = .object(properties: ["enabled": .boolean])
}

/// A tenant's VPN as the API shows it (never the hub's private key).
struct VPNResponse: Content {
    let enabled: Bool
    let network: String?
    let hubAddress: String?
    let publicKey: String?
    let endpoint: String?
    let listenPort: Int?
    let interface: String?
    let state: String
    let backend: String

    enum CodingKeys: String, CodingKey {
        case enabled, network, hubAddress = "hub_address", publicKey = "public_key", endpoint, listenPort = "listen_port"
        case interface, state, backend
    }

    init(_ network: VPNNetwork?, service: VPNService) {
        enabled = network?.enabled ?? false
        self.network = network?.network
        hubAddress = network.flatMap { try? IPv4Network(parsing: $0.network) }.map { TenantAddressPool.hubAddress(in: $0).description }
        publicKey = network?.hubPublicKey
        endpoint = network.flatMap(service.endpoint(of:))
        listenPort = network?.listenPort
        interface = network?.interfaceName
        state = service.state(of: network)
        backend = service.backend.rawValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(network, forKey: .network)
        try container.encode(hubAddress, forKey: .hubAddress)
        try container.encode(publicKey, forKey: .publicKey)
        try container.encode(endpoint, forKey: .endpoint)
        try container.encode(listenPort, forKey: .listenPort)
        try container.encode(interface, forKey: .interface)
        try container.encode(state, forKey: .state)
        try container.encode(backend, forKey: .backend)
    }

    static let schema: JSONSchema = .object(properties: [
        "enabled": .boolean, "network": .string(nullable: true), "hub_address": .string(nullable: true),
        "public_key": .string(nullable: true), "endpoint": .string(nullable: true), "listen_port": .integer(nullable: true),
        "interface": .string(nullable: true), "state": .string(allowedValues: ["down", "up", "not_applied"]),
        "backend": .string(allowedValues: ["kernel", "wireguard-go", "none"]),
    ])
}
