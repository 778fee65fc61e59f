import BerqenasNetwork
import Foundation

/// The addresses held on each tenant network, read from the database once and then kept here, so adding a
/// peer to a network of thousands does not read them all again. Picking an address claims it at once, so
/// concurrent requests on this hub never pick the same one. The database's unique index stays the judge:
/// a hub sharing the system database with another may hold a stale book, and a collision reloads it.
actor AddressBook {
    private var held: [UUID: Set<IPv4Address>] = [:]

    /// Claims the lowest free peer address of the network (`load` reads the held ones when not known yet).
    func claim(in network: IPv4Network, networkID: UUID, load: @Sendable () async throws -> [String]) async throws -> IPv4Address {
        if held[networkID] == nil {
            let loaded = Set(try await load().compactMap(IPv4Address.init))
            if held[networkID] == nil { held[networkID] = loaded }
        }
        let address = try TenantAddressPool.firstFreePeerAddress(in: network, excluding: held[networkID] ?? [])
        held[networkID, default: []].insert(address)
        return address
    }

    /// Gives back a claimed address that was not used (the insert failed for another reason).
    func unclaim(_ address: IPv4Address, networkID: UUID) {
        held[networkID]?.remove(address)
    }

    /// Addresses whose grace ended are free again.
    func release(_ addresses: [IPv4Address], networkID: UUID) {
        for address in addresses { held[networkID]?.remove(address) }
    }

    /// Drops what is known about the network (read again at the next claim).
    func forget(_ networkID: UUID) {
        held[networkID] = nil
    }
}
