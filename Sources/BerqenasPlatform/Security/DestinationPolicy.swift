import BerqenasNetwork
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the hub may connect on a tenant's behalf: every connection to a tenant's remote database (test,
/// tables, sync, APIs, continuous loops) passes this check first. Denied: loopback, link-local, unspecified
/// and multicast addresses, the hub's own addresses, the VPN pool except the tenant's own network, and the
/// system database's server; plus the operator's `BERQENAS_REMOTE_DENY`. `BERQENAS_REMOTE_ALLOW` lifts the
/// built-in denials for its ranges, except the system database's server, which only an entry naming its
/// port lifts. A denied destination is reported as denied, never as an open or closed port.
package struct DestinationPolicy: Sendable {
    /// A range, optionally narrowed to one port (`127.0.0.1/32:5432`, `[::1]:5432`).
    struct Rule: Sendable {
        let range: IPRange
        let port: Int?

        func matches(_ address: [UInt8], port: Int) -> Bool {
            range.contains(address) && (self.port == nil || self.port == port)
        }
    }

    let allow: [Rule]
    let deny: [Rule]
    /// The tenant address pool (`BERQENAS_VPN_POOL`).
    let vpnPool: IPv4Network
    /// The system database's server (PostgreSQL mode).
    let systemDatabase: (host: String, port: Int)?

    static let alwaysDenied: [(range: IPRange, reason: String)] = [
        ("127.0.0.0/8", "loopback"), ("::1/128", "loopback"), ("0.0.0.0/8", "unspecified"), ("::/128", "unspecified"),
        ("169.254.0.0/16", "link-local"), ("fe80::/10", "link-local"), ("224.0.0.0/4", "multicast"), ("ff00::/8", "multicast"),
        ("255.255.255.255/32", "broadcast"), ("fd00:ec2::254/128", "a cloud metadata service"),
        ("100.100.100.200/32", "a cloud metadata service"),
        // IPv6 forms that carry an IPv4 address: what they reach is not known from the IPv6 address alone.
        ("64:ff9b::/96", "NAT64"), ("64:ff9b:1::/48", "NAT64"), ("2002::/16", "6to4"), ("::/96", "IPv4-compatible"),
    ].map { (IPRange($0.0)!, $0.1) }

    /// A policy from the operator's lists (comma-separated entries).
    /// - Throws: `PlatformError` naming the variable of an entry that cannot be read.
    package init(allow: String?, deny: String?, vpnPool: IPv4Network, systemDatabaseURL: String?) throws {
        self.allow = try Self.rules(allow, variable: "BERQENAS_REMOTE_ALLOW")
        self.deny = try Self.rules(deny, variable: "BERQENAS_REMOTE_DENY")
        self.vpnPool = vpnPool
        if let text = systemDatabaseURL, let url = URL(string: text), let host = url.host {
            systemDatabase = (host, url.port ?? 5432)
        } else {
            systemDatabase = nil
        }
    }

    /// The address to connect to for `host:port` on behalf of a tenant whose VPN network is `tenantNetwork`:
    /// every address the name resolves to must be allowed; one of them is returned, so that the connection
    /// goes where the check looked (a name that resolves elsewhere a moment later changes nothing).
    /// - Throws: 422 `destination_denied` ("denied by policy") or `destination_unresolved`.
    package func check(host: String, port: Int, tenantNetwork: IPv4Network?) async throws -> String {
        let addresses = try await Self.resolve(host)
        var systemAddresses: [[UInt8]] = []
        if let system = systemDatabase { systemAddresses = (try? await Self.resolve(system.host)) ?? [] }
        let own = LocalAddresses.current()
        for address in addresses {
            if let reason = denial(
                of: address, port: port, tenantNetwork: tenantNetwork, hubAddresses: own,
                systemAddresses: systemAddresses)
            {
                throw PlatformError(
                    code: "destination_denied", status: 422,
                    message: "host '\(host)': denied by policy (\(reason)); an operator may allow it in BERQENAS_REMOTE_ALLOW",
                    details: ["field": "host"])
            }
        }
        // One address is connected to: an IPv4 one where the name has any (servers that listen on IPv4 only
        // are the common case), else the first.
        return IPRange.text(of: addresses.first(where: IPRange.isMappedV4) ?? addresses[0])
    }

    /// Why `address:port` is denied, or nil when it is allowed.
    func denial(
        of address: [UInt8], port: Int, tenantNetwork: IPv4Network?, hubAddresses: [[UInt8]],
        systemAddresses: [[UInt8]]
    ) -> String? {
        if deny.contains(where: { $0.matches(address, port: port) }) { return "BERQENAS_REMOTE_DENY" }
        if isSystemDatabase(address, port: port, hubAddresses: hubAddresses, systemAddresses: systemAddresses) {
            return allow.contains(where: { $0.port == port && $0.range.contains(address) }) ? nil : "the system database"
        }
        if allow.contains(where: { $0.matches(address, port: port) }) { return nil }
        if let denied = Self.alwaysDenied.first(where: { $0.range.contains(address) }) { return denied.reason }
        if hubAddresses.contains(address) { return "an address of the hub" }
        if IPRange.isMappedV4(address) {
            let v4 = IPv4Address(address[12...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            if vpnPool.contains(v4), tenantNetwork?.contains(v4) != true { return "another tenant's VPN network" }
        }
        return nil
    }

    /// Whether `address:port` reaches the system database's server: its own address, or (when it runs on
    /// this machine, at a loopback address) any address of the hub.
    func isSystemDatabase(_ address: [UInt8], port: Int, hubAddresses: [[UInt8]], systemAddresses: [[UInt8]]) -> Bool {
        guard let system = systemDatabase, port == system.port else { return false }
        if systemAddresses.contains(address) { return true }
        let local = systemAddresses.contains { system in Self.alwaysDenied.contains { $0.range.contains(system) } }
        return local && hubAddresses.contains(address)
    }

    static func rules(_ text: String?, variable: String) throws -> [Rule] {
        guard let text, !text.isEmpty else { return [] }
        return try text.split(separator: ",").map { raw in
            let entry = raw.trimmingCharacters(in: .whitespaces)
            var range = entry
            var port: Int?
            if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
                range = String(entry[entry.index(after: entry.startIndex)..<close])
                let rest = entry[entry.index(after: close)...]
                if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 }
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                range = String(entry[..<colon])
                port = Int(entry[entry.index(after: colon)...]) ?? -1
            }
            guard let parsed = IPRange(range), port.map({ (1...65535).contains($0) }) ?? true else {
                throw PlatformError.invalidConfiguration("\(variable): '\(entry)' is not an address or CIDR range, optionally with :port")
            }
            return Rule(range: parsed, port: port)
        }
    }

    /// Every address `host` names (itself when it is an address).
    static func resolve(_ host: String) async throws -> [[UInt8]] {
        if let literal = IPRange.bytes(of: host) { return [literal] }
        let found: [[UInt8]] = try await Blocking.run {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
            defer { freeaddrinfo(first) }
            var result: [[UInt8]] = []
            var next: UnsafeMutablePointer<addrinfo>? = first
            while let entry = next {
                if let bytes = LocalAddresses.bytes(of: entry.pointee.ai_addr) { result.append(bytes) }
                next = entry.pointee.ai_next
            }
            return result
        }
        guard !found.isEmpty else {
            throw PlatformError(
                code: "destination_unresolved", status: 422, message: "host '\(host)' could not be resolved",
                details: ["field": "host"])
        }
        return found
    }
}

/// The hub's own interface addresses, read when a destination is checked (tenant interfaces come and go).
enum LocalAddresses {
    static func current() -> [[UInt8]] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var result: [[UInt8]] = []
        var next: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = next {
            if let address = entry.pointee.ifa_addr, let bytes = bytes(of: address) { result.append(bytes) }
            next = entry.pointee.ifa_next
        }
        return result
    }

    /// A socket address's 16 bytes (IPv4 mapped), nil for other families.
    static func bytes(of address: UnsafeMutablePointer<sockaddr>) -> [UInt8]? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var value = v4.pointee.sin_addr
                return Array(repeating: 0, count: 10) + [0xff, 0xff] + withUnsafeBytes(of: &value) { Array($0) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var value = v6.pointee.sin6_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        default:
            return nil
        }
    }
}
