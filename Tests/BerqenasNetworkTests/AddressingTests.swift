import BerqenasNetwork
import Testing

struct AddressingTests {
    @Test func addressesParseStrictly() {
        #expect(IPv4Address("10.60.0.1")?.description == "10.60.0.1")
        #expect(IPv4Address("255.255.255.255")?.value == UInt32.max)
        for bad in ["10.60.0", "10.60.0.256", "10.060.0.1", "10.60.0.1 ", "a.b.c.d", "10..0.1", "1.2.3.4.5", "-1.2.3.4", "１.2.3.4"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
    }

    @Test func networksParseAndRefuseHostBits() throws {
        let pool = try IPv4Network(parsing: "10.60.0.0/16")
        #expect(pool.size == 65_536)
        #expect(pool.last.description == "10.60.255.255")
        #expect(pool.contains(IPv4Address("10.60.7.9")!))
        #expect(!pool.contains(IPv4Address("10.61.0.0")!))
        #expect(try IPv4Network(parsing: "0.0.0.0/0").contains(IPv4Address("198.18.0.1")!))
        for bad in ["10.60.0.1/16", "10.60.0.0/33", "10.60.0.0", "10.60.0.0/", "10.60.0.0/1a", "10.60.0.0/16/2"] {
            #expect(throws: NetworkError.self, "\(bad)") { try IPv4Network(parsing: bad) }
        }
        do {
            _ = try IPv4Network(parsing: "10.60.0.1/16")
        } catch let error as NetworkError {
            #expect(error.code == "invalid_cidr")
            #expect(error.message.contains("10.60.0.0/16"), "names the network meant")
        }
    }

    @Test func subnetsTileTheNetworkWithoutOverlap() throws {
        let pool = try IPv4Network(parsing: "10.60.0.0/16")
        #expect(pool.subnetCount(prefixLength: 24) == 256)
        let first = try #require(pool.subnet(0, prefixLength: 24))
        let last = try #require(pool.subnet(255, prefixLength: 24))
        #expect(first.description == "10.60.0.0/24")
        #expect(last.description == "10.60.255.0/24")
        #expect(pool.subnet(256, prefixLength: 24) == nil)
        #expect(pool.subnet(-1, prefixLength: 24) == nil)
        #expect(!first.overlaps(try #require(pool.subnet(1, prefixLength: 24))))
        #expect(pool.overlaps(first) && first.overlaps(pool))
    }

    @Test func tenantPoolGivesTheHubTheFirstHostAndPeersTheRest() throws {
        let pool = try TenantAddressPool(pool: try IPv4Network(parsing: TenantAddressPool.defaultPool))
        #expect(pool.slotCount == 256)
        let allocated = try [0, 1, 3].map { try pool.network(slot: $0) }
        #expect(try pool.firstFreeSlot(avoiding: allocated) == 2)
        // Networks made under another tenant size stay respected: a /23 at slot 0 covers /24 slots 0 and 1.
        #expect(try pool.firstFreeSlot(avoiding: [try IPv4Network(parsing: "10.60.0.0/23")]) == 2)
        let network = try pool.network(slot: 2)
        #expect(network.description == "10.60.2.0/24")
        #expect(TenantAddressPool.hubAddress(in: network).description == "10.60.2.1")
        #expect(TenantAddressPool.peerHostNumbers(in: network) == 2...254)
        let taken: Set = [IPv4Address("10.60.2.2")!, IPv4Address("10.60.2.3")!, IPv4Address("10.60.2.5")!]
        #expect(try TenantAddressPool.firstFreePeerAddress(in: network, excluding: taken).description == "10.60.2.4")
        #expect(throws: NetworkError.self) { try pool.network(slot: 256) }
        #expect(throws: NetworkError.self) { try pool.firstFreeSlot(avoiding: [pool.pool]) }
        let small = try TenantAddressPool(pool: try IPv4Network(parsing: "198.18.0.0/30"), tenantPrefixLength: 30)
        let only = try small.network(slot: 0)
        #expect(try TenantAddressPool.firstFreePeerAddress(in: only, excluding: []).description == "198.18.0.2")
        #expect(throws: NetworkError.self) {
            try TenantAddressPool.firstFreePeerAddress(in: only, excluding: [IPv4Address("198.18.0.2")!])
        }
        #expect(throws: NetworkError.self) { try TenantAddressPool(pool: try IPv4Network(parsing: "10.60.0.0/16"), tenantPrefixLength: 31) }
        #expect(throws: NetworkError.self) { try TenantAddressPool(pool: try IPv4Network(parsing: "10.60.0.0/16"), tenantPrefixLength: 8) }
    }
}
