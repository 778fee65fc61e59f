/// Tenant networks carved from one pool (`BERQENAS_VPN_POOL`, default `10.60.0.0/16`), one network of
/// `tenantPrefixLength` (default /24) per tenant, numbered by slot. In each tenant network the hub holds the
/// first host address and peers take the following ones; the network and broadcast addresses stay unused.
package struct TenantAddressPool: Sendable, Equatable {
    package let pool: IPv4Network
    package let tenantPrefixLength: Int

    package static let defaultPool = "10.60.0.0/16"

    package init(pool: IPv4Network, tenantPrefixLength: Int = 24) throws {
        guard tenantPrefixLength >= pool.prefixLength, tenantPrefixLength <= 30 else {
            throw NetworkError(
                "invalid_cidr", "a tenant network of /\(tenantPrefixLength) does not fit pool \(pool) with room for a hub and a peer (at most /30)")
        }
        self.pool = pool
        self.tenantPrefixLength = tenantPrefixLength
    }

    /// How many tenant networks the pool holds.
    package var slotCount: Int { pool.subnetCount(prefixLength: tenantPrefixLength) }

    /// The tenant network of `slot`.
    package func network(slot: Int) throws -> IPv4Network {
        guard let network = pool.subnet(slot, prefixLength: tenantPrefixLength) else {
            throw NetworkError(
                "pool_exhausted", "pool \(pool) holds \(slotCount) tenant networks of /\(tenantPrefixLength); slot \(slot) is beyond it")
        }
        return network
    }

    /// The lowest slot whose network overlaps none of `allocated` (networks made under another tenant
    /// prefix length stay respected after the setting changes).
    package func firstFreeSlot(avoiding allocated: [IPv4Network]) throws -> Int {
        for slot in 0..<slotCount {
            let candidate = try network(slot: slot)
            if !allocated.contains(where: { $0.overlaps(candidate) }) { return slot }
        }
        throw NetworkError("pool_exhausted", "every tenant network of pool \(pool) is allocated")
    }

    /// The hub's address in a tenant network: its first host address.
    package static func hubAddress(in network: IPv4Network) -> IPv4Address {
        network.address(at: 1)!
    }

    /// Host numbers peers may take in a tenant network (after the hub's, before broadcast).
    package static func peerHostNumbers(in network: IPv4Network) -> ClosedRange<UInt32> {
        2...UInt32(network.size - 2)
    }

    /// The lowest peer address not in `taken`.
    package static func firstFreePeerAddress(in network: IPv4Network, excluding taken: Set<IPv4Address>) throws -> IPv4Address {
        for host in peerHostNumbers(in: network) {
            let address = network.address(at: host)!
            if !taken.contains(address) { return address }
        }
        throw NetworkError("network_full", "tenant network \(network) has no free peer address")
    }
}
