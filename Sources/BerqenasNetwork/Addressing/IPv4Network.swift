/// An IPv4 network in CIDR form (`10.60.0.0/16`), always held with its host bits cleared.
package struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the network.
    package let base: IPv4Address
    package let prefixLength: Int

    /// A network from an address and a prefix length; the host bits of `address` must be zero.
    package init(_ address: IPv4Address, prefixLength: Int) throws {
        guard (0...32).contains(prefixLength) else {
            throw NetworkError("invalid_cidr", "prefix length \(prefixLength) is not between 0 and 32")
        }
        let mask = Self.mask(prefixLength)
        guard address.value & ~mask == 0 else {
            throw NetworkError(
                "invalid_cidr", "\(address)/\(prefixLength) has host bits set (the network is \(IPv4Address(address.value & mask))/\(prefixLength))")
        }
        self.base = address
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/n`.
    package init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), parts[1].allSatisfy(\.isNumber),
            let length = Int(parts[1])
        else {
            throw NetworkError("invalid_cidr", "\"\(text)\" is not an IPv4 network in CIDR form (like 10.60.0.0/16)")
        }
        try self.init(address, prefixLength: length)
    }

    static func mask(_ prefixLength: Int) -> UInt32 {
        prefixLength == 0 ? 0 : UInt32.max << (32 - prefixLength)
    }

    /// How many addresses the network spans.
    package var size: UInt64 { UInt64(1) << (32 - prefixLength) }

    /// The last address (broadcast for networks of more than two addresses).
    package var last: IPv4Address { IPv4Address(base.value | ~Self.mask(prefixLength)) }

    package func contains(_ address: IPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == base.value
    }

    /// Whether the two networks share any address.
    package func overlaps(_ other: IPv4Network) -> Bool {
        contains(other.base) || other.contains(base)
    }

    /// The address `offset` places after the base (nil beyond the network).
    package func address(at offset: UInt32) -> IPv4Address? {
        guard UInt64(offset) < size else { return nil }
        return IPv4Address(base.value + offset)
    }

    /// How many networks of `prefixLength` it holds.
    package func subnetCount(prefixLength length: Int) -> Int {
        length < prefixLength || length > 32 ? 0 : 1 << (length - prefixLength)
    }

    /// Its `index`-th subnetwork of `prefixLength` (nil when out of range).
    package func subnet(_ index: Int, prefixLength length: Int) -> IPv4Network? {
        guard index >= 0, index < subnetCount(prefixLength: length) else { return nil }
        return try? IPv4Network(IPv4Address(base.value + UInt32(index) << (32 - length)), prefixLength: length)
    }

    package var description: String { "\(base)/\(prefixLength)" }
}
