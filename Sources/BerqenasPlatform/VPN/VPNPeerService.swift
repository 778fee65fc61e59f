import BerqenasNetwork
import FluentKit
import Foundation
import SQLKit

/// What a new peer asks for.
package struct VPNPeerRequest: Sendable, Codable {
    package var name: String
    /// Base64; nil: the hub generates the pair and keeps the private key sealed for the config download.
    package var publicKey: String?
    /// Seconds, 1-65535; nil or 0: off.
    package var persistentKeepalive: Int?

    package init(name: String, publicKey: String? = nil, persistentKeepalive: Int? = nil) {
        self.name = name
        self.publicKey = publicKey
        self.persistentKeepalive = persistentKeepalive
    }

    enum CodingKeys: String, CodingKey {
        case name, publicKey = "public_key", persistentKeepalive = "persistent_keepalive"
    }
}

/// Peers of tenant networks: addresses (unique while held, reused only after the grace period), keys,
/// wg-quick configs, revocation.
package struct VPNPeerService: Sendable {
    let database: any Database
    let secrets: SecretBox
    let networks: VPNService
    let addressBook = AddressBook()
    let limits: TenantLimits
    let events: EventLog

    package init(database: any Database, secrets: SecretBox, networks: VPNService, events: EventLog, limits: TenantLimits) {
        self.events = events
        self.database = database
        self.secrets = secrets
        self.networks = networks
        self.limits = limits
    }

    /// Adds a peer; the config comes back when the hub generated the keys (shown once here, and later
    /// through the audited config download).
    package func add(_ request: VPNPeerRequest, tenant: Tenant) async throws -> (peer: VPNPeer, config: String?) {
        guard let network = try await networks.network(of: tenant) else {
            throw PlatformError.conflict("vpn_not_enabled", "enable the tenant's VPN (PUT …/vpn) before adding peers")
        }
        let name = try Self.validName(request.name)
        try await limits.admitAnother(.peers, tenantID: try tenant.requireID(), on: database)
        let keepalive = try Self.validKeepalive(request.persistentKeepalive)
        let generated: WireGuardKeyPair?
        let publicKey: WireGuardKey
        if let text = request.publicKey {
            do { publicKey = try WireGuardKey(base64: text) } catch let error as NetworkError {
                throw PlatformError.validation(field: "public_key", error.message)
            }
            generated = nil
        } else {
            let pair = WireGuardKeyPair.generate()
            generated = pair
            publicKey = pair.publicKey
        }
        let networkID = try network.requireID()
        func active() -> QueryBuilder<VPNPeer> {
            VPNPeer.query(on: database).filter(\.$networkID == networkID).filter(\.$revokedAt == nil)
        }
        if try await active().filter(\.$name == name).count() > 0 {
            throw PlatformError.conflict("peer_exists", "a peer named '\(name)' is already on this network")
        }
        if try await active().filter(\.$publicKey == publicKey.base64).count() > 0 || publicKey.base64 == network.hubPublicKey {
            throw PlatformError.conflict("public_key_in_use", "that public key is already on this network")
        }
        let peer = VPNPeer()
        peer.id = UUID()
        peer.tenantID = try tenant.requireID()
        peer.networkID = try network.requireID()
        peer.name = name
        peer.publicKey = publicKey.base64
        peer.persistentKeepalive = keepalive
        peer.receivedBytes = 0
        peer.sentBytes = 0
        peer.lastReceivedCounter = 0
        peer.lastSentCounter = 0
        peer.wasConnected = false
        if let generated {
            peer.privateKeySealed = try secrets.seal(generated.privateKey.base64, context: Self.keyContext(try peer.requireID()))
        }
        try await insertWithFreeAddress(peer, network: network)
        await networks.reconciler.peerAdded(peer, to: network)
        return (peer, try generated.map { try config(of: peer, privateKey: $0.privateKey, network: network) })
    }

    /// Peers on the tenant's network that are not revoked, oldest first.
    package func list(tenant: Tenant) async throws -> [VPNPeer] {
        guard let network = try await networks.network(of: tenant) else { return [] }
        return try await activePeers(of: network)
    }

    /// One active peer of the tenant.
    package func find(_ id: UUID, tenant: Tenant) async throws -> VPNPeer {
        guard
            let peer = try await VPNPeer.query(on: database).filter(\.$id == id).filter(\.$tenantID == tenant.requireID())
                .filter(\.$revokedAt == nil).first()
        else {
            throw PlatformError.notFound("peer", id.uuidString)
        }
        return peer
    }

    /// The peer's wg-quick file; only for peers whose keys the hub generated.
    package func config(of peer: VPNPeer, tenant: Tenant) async throws -> String {
        guard let sealed = peer.privateKeySealed else {
            throw PlatformError.conflict("peer_key_external", "this peer brought its own key: the hub has no private key to put in a config")
        }
        guard let network = try await networks.network(of: tenant) else { throw PlatformError.notFound("VPN of tenant", tenant.name) }
        let privateKey = try WireGuardKey(base64: secrets.open(sealed, context: Self.keyContext(try peer.requireID())))
        return try config(of: peer, privateKey: privateKey, network: network)
    }

    /// A TCP connect to `port` on the peer's tunnel address, with a 3 s timeout.
    package func check(_ peer: VPNPeer, port: Int) async throws -> PeerReachability {
        guard (1...65535).contains(port) else { throw PlatformError.validation(field: "port", "must be a TCP port (1-65535)") }
        guard let address = peer.address else { throw PlatformError.notFound("address of peer", peer.name) }
        // A server without the tunnels asks the gateway server, which has them.
        if let answer = try await networks.reconciler.checkThroughGateway(address, port: port) { return answer }
        return await PeerReachability.probe(address, port: port)
    }

    /// Revokes the peer: it leaves the network at once; its address is held for the grace period.
    package func revoke(_ peer: VPNPeer) async throws {
        peer.revokedAt = Date()
        peer.privateKeySealed = nil
        try await peer.save(on: database)
        try await events.record(
            .vpnPeerRevoked, tenantID: peer.tenantID, subject: "vpn-peer:\(try peer.requireID())",
            message: "peer '\(peer.name)' was revoked", data: [("peer_id", .id(try peer.requireID())), ("peer", .string(peer.name))])
        if let network = try await VPNNetwork.find(peer.networkID, on: database) { await networks.reconciler.peerRemoved(peer, from: network) }
        await networks.reconciler.applyFirewall()
    }

    private func config(of peer: VPNPeer, privateKey: WireGuardKey, network: VPNNetwork) throws -> String {
        let tenantNetwork = try IPv4Network(parsing: network.network)
        guard let address = peer.address.flatMap(IPv4Address.init) else { throw PlatformError.notFound("address of peer", peer.name) }
        return WgQuickConfig(
            address: address, networkPrefixLength: tenantNetwork.prefixLength, privateKey: privateKey,
            hubPublicKey: try WireGuardKey(base64: network.hubPublicKey), allowedIPs: tenantNetwork,
            endpoint: networks.endpoint(of: network), persistentKeepalive: peer.persistentKeepalive
        ).text
    }

    private func activePeers(of network: VPNNetwork) async throws -> [VPNPeer] {
        try await VPNPeer.query(on: database).filter(\.$networkID == network.requireID()).filter(\.$revokedAt == nil)
            .sort(\.$createdAt).sort(\.$name).all()
    }

    /// Releases addresses whose grace has passed, then takes the lowest free one; a request that loses a
    /// race for an address (the unique index: another hub took it) reloads what is held and tries again.
    private func insertWithFreeAddress(_ peer: VPNPeer, network: VPNNetwork) async throws {
        let tenantNetwork = try IPv4Network(parsing: network.network)
        let networkID = try network.requireID()
        let graceStart = Date().addingTimeInterval(-Double(networks.settings.addressGraceSeconds))
        var released: [IPv4Address] = []
        for expired in try await VPNPeer.query(on: database).filter(\.$networkID == networkID)
            .filter(\.$revokedAt < graceStart).filter(\.$address != nil).all()
        {
            released += [expired.address.flatMap(IPv4Address.init)].compactMap { $0 }
            expired.releasedAddress = expired.address
            expired.address = nil
            try await expired.save(on: database)
        }
        await addressBook.release(released, networkID: networkID)
        for _ in 0..<50 {
            let address: IPv4Address
            do {
                address = try await addressBook.claim(in: tenantNetwork, networkID: networkID) { try await heldAddresses(networkID) }
            } catch let error as NetworkError {
                throw PlatformError.conflict("vpn_network_full", error.message)
            }
            peer.address = address.description
            do {
                try await peer.create(on: database)
                return
            } catch let error as any DatabaseError where error.isConstraintFailure {
                await addressBook.forget(networkID)
                continue
            } catch {
                await addressBook.unclaim(address, networkID: networkID)
                throw error
            }
        }
        throw PlatformError.conflict("vpn_allocation_contended", "could not allocate an address under concurrent requests; try again")
    }

    /// The addresses held on a network, read as bare strings (no model per row: this runs for every new peer,
    /// and networks may hold thousands).
    private func heldAddresses(_ networkID: UUID) async throws -> [String] {
        guard let sql = database as? any SQLDatabase else {
            return try await VPNPeer.query(on: database).filter(\.$networkID == networkID).filter(\.$address != nil).all().compactMap(\.address)
        }
        struct Row: Decodable { let address: String }
        return try await sql.select().column("address").from(VPNPeer.schema)
            .where("network_id", .equal, SQLBind(networkID)).where("address", .isNot, SQLLiteral.null)
            .all(decoding: Row.self).map(\.address)
    }

    static func keyContext(_ peerID: UUID) -> String { "vpn-peer-key:\(peerID.uuidString)" }

    static func validName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...63).contains(trimmed.count),
            trimmed.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_. ".unicodeScalars.contains($0) }),
            trimmed.allSatisfy(\.isASCII)
        else {
            throw PlatformError.validation(field: "name", "1-63 characters: letters, digits, space, '-', '_' or '.'")
        }
        return trimmed
    }

    static func validKeepalive(_ seconds: Int?) throws -> Int? {
        guard let seconds, seconds != 0 else { return nil }
        guard (1...65535).contains(seconds) else {
            throw PlatformError.validation(field: "persistent_keepalive", "seconds between 1 and 65535 (0 or absent: off)")
        }
        return seconds
    }
}
