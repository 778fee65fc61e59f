/// An IPv4 address as its 32-bit value.
package struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let value: UInt32

    package init(_ value: UInt32) {
        self.value = value
    }

    /// Parses dotted-quad text (`10.60.0.1`): four decimal octets, no leading zeros, nothing else.
    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    package var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    package static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
