#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address range in CIDR form (a single address is a /32 or /128), compared as 16 bytes
/// (IPv4 as its IPv4-mapped IPv6 form, so `::ffff:127.0.0.1` is `127.0.0.1`).
struct IPRange: Sendable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]
    /// Prefix length over the 16 bytes.
    let prefixLength: Int
    let description: String

    /// Parses `address` or `address/prefix` (IPv4 or IPv6); nil when it is neither.
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(of: String(parts[0])) else { return nil }
        let isV4 = Self.isMappedV4(address)
        let width = isV4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard let given = Int(parts[1]), parts[1].allSatisfy(\.isNumber), (0...width).contains(given) else { return nil }
            length = given
        }
        self.prefixLength = isV4 ? length + 96 : length
        self.bytes = Self.masked(address, prefixLength)
        self.description = text
    }

    /// Whether `address` (16 bytes) is in the range.
    func contains(_ address: [UInt8]) -> Bool {
        Self.masked(address, prefixLength) == bytes
    }

    /// An address's 16 bytes (IPv4 mapped into IPv6); nil when the text is no address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return Array(repeating: 0, count: 10) + [0xff, 0xff] + withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// An address's usual text (IPv4 for mapped addresses).
    static func text(of bytes: [UInt8]) -> String {
        if IPRange.isMappedV4(bytes) { return bytes[12...].map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        return String(cString: buffer)
    }

    static func isMappedV4(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
    }

    private static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = min(max(length - index * 8, 0), 8)
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xff << (8 - bits))
        }
    }
}
