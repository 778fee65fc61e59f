/// How the hub's WireGuard side is set up (`BERQENAS_VPN_*`, `BERQENAS_PUBLIC_ENDPOINT`).
package struct VPNSettings: Sendable, Equatable {
    /// Where WireGuard state is applied.
    package enum Backend: String, Sendable, CaseIterable {
        /// Chosen at start: the kernel module where present, otherwise wireguard-go, otherwise none.
        case automatic = "auto"
        case kernel
        case wireguardGo = "wireguard-go"
        /// Everything stored and rendered, nothing applied.
        case none
    }

    package var pool: TenantAddressPool
    /// UDP ports tenant interfaces listen on, one per tenant.
    package var ports: ClosedRange<Int>
    package var backend: Backend
    /// The host peers reach the hub at (a name or address); nil: configs carry no usable endpoint host.
    package var publicEndpoint: String?
    /// How long a revoked peer's address stays held before another peer may take it
    /// (`BERQENAS_VPN_ADDRESS_GRACE_SECONDS`, default a day).
    package var addressGraceSeconds: Int = 86_400
    /// How published services are forwarded (`BERQENAS_PUBLISH_MODE`).
    package var publishMode: PublishMode = .automatic
    /// The one hub address publications are offered on (`BERQENAS_PUBLIC_BIND`); nil: all of them.
    package var publicBind: IPv4Address?
    /// The hub TCP ports publications may take (`BERQENAS_PUBLISH_PORTS`): a range the operator keeps free of
    /// the hub's own services, since a publication takes its port on every address it is offered on.
    package var publishPorts: ClosedRange<Int> = 20000...29999
    /// The hub's other servers (`BERQENAS_GATEWAY_FORWARD_FROM`), as networks, that may open connections to
    /// sites through this gateway's tunnels (a worker or api server on another machine, routing the pool via
    /// this one); empty: none. Their connections are masqueraded as the tenant's hub address.
    package var forwardFrom: [IPv4Network] = []

    /// How the hub forwards a published service to its site.
    package enum PublishMode: String, Sendable, CaseIterable {
        /// nftables where `nft` is installed, otherwise the relay.
        case automatic = "auto"
        /// nftables DNAT and masquerade: the kernel forwards, counted per publication.
        case nat
        /// The hub's own TCP relay: connections pass through the server, each logged with its byte counts.
        case relay
    }

    package init(pool: TenantAddressPool, ports: ClosedRange<Int>, backend: Backend, publicEndpoint: String?) {
        self.pool = pool
        self.ports = ports
        self.backend = backend
        self.publicEndpoint = publicEndpoint
    }

    /// The embedded defaults: pool 10.60.0.0/16 in /24s, ports 51820-51919, automatic backend.
    package static let defaults = try! VPNSettings(
        pool: TenantAddressPool(pool: IPv4Network(parsing: TenantAddressPool.defaultPool)),
        ports: 51820...51919, backend: .automatic, publicEndpoint: nil)

    /// Reads the variables; a value that cannot be used throws an error naming its variable.
    package static func fromEnvironment(_ environment: [String: String]) throws -> VPNSettings {
        var settings = defaults
        if let text = environment["BERQENAS_VPN_POOL"], !text.isEmpty {
            do {
                settings.pool = try TenantAddressPool(pool: try IPv4Network(parsing: text))
            } catch let error as NetworkError {
                throw NetworkError(error.code, "BERQENAS_VPN_POOL: \(error.message)")
            }
        }
        if let text = environment["BERQENAS_VPN_TENANT_PREFIX"], !text.isEmpty {
            guard let length = Int(text.hasPrefix("/") ? String(text.dropFirst()) : text) else {
                throw NetworkError("invalid_setting", "BERQENAS_VPN_TENANT_PREFIX must be a prefix length like 24, got '\(text)'")
            }
            do {
                settings.pool = try TenantAddressPool(pool: settings.pool.pool, tenantPrefixLength: length)
            } catch let error as NetworkError {
                throw NetworkError(error.code, "BERQENAS_VPN_TENANT_PREFIX: \(error.message)")
            }
        }
        if let text = environment["BERQENAS_VPN_PORTS"], !text.isEmpty {
            settings.ports = try parsePorts(text, variable: "BERQENAS_VPN_PORTS", kind: "UDP")
        }
        if let text = environment["BERQENAS_PUBLISH_PORTS"], !text.isEmpty {
            settings.publishPorts = try parsePorts(text, variable: "BERQENAS_PUBLISH_PORTS", kind: "TCP")
        }
        if let text = environment["BERQENAS_VPN_BACKEND"], !text.isEmpty {
            guard let backend = Backend(rawValue: text) else {
                throw NetworkError(
                    "invalid_setting",
                    "BERQENAS_VPN_BACKEND must be one of \(Backend.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            settings.backend = backend
        }
        if let text = environment["BERQENAS_PUBLIC_ENDPOINT"], !text.isEmpty {
            guard !text.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw NetworkError("invalid_setting", "BERQENAS_PUBLIC_ENDPOINT must be a host name or address, got '\(text)'")
            }
            settings.publicEndpoint = text
        }
        if let text = environment["BERQENAS_VPN_ADDRESS_GRACE_SECONDS"], !text.isEmpty {
            guard let seconds = Int(text), seconds >= 0 else {
                throw NetworkError("invalid_setting", "BERQENAS_VPN_ADDRESS_GRACE_SECONDS must be a number of seconds, got '\(text)'")
            }
            settings.addressGraceSeconds = seconds
        }
        if let text = environment["BERQENAS_PUBLISH_MODE"], !text.isEmpty {
            guard let mode = PublishMode(rawValue: text) else {
                throw NetworkError(
                    "invalid_setting",
                    "BERQENAS_PUBLISH_MODE must be one of \(PublishMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            settings.publishMode = mode
        }
        if let text = environment["BERQENAS_PUBLIC_BIND"], !text.isEmpty {
            guard let address = IPv4Address(text) else {
                throw NetworkError("invalid_setting", "BERQENAS_PUBLIC_BIND must be an IPv4 address of the hub, got '\(text)'")
            }
            settings.publicBind = address
        }
        if let text = environment["BERQENAS_GATEWAY_FORWARD_FROM"], !text.isEmpty {
            settings.forwardFrom = try parseForwardFrom(text, pool: settings.pool.pool)
        }
        return settings
    }

    /// The hub servers' networks: never everything, never inside the VPN pool (a site's own address would
    /// then count as the hub's).
    static func parseForwardFrom(_ text: String, pool: IPv4Network) throws -> [IPv4Network] {
        let variable = "BERQENAS_GATEWAY_FORWARD_FROM"
        let networks = try text.split(separator: ",").map { item in
            let entry = String(item.filter { !$0.isWhitespace })
            guard let network = try? IPv4Network(parsing: entry.contains("/") ? entry : entry + "/32") else {
                throw NetworkError("invalid_setting", "\(variable) must list IPv4 addresses or CIDR ranges of the hub's servers, got '\(entry)'")
            }
            guard network.prefixLength > 0 else {
                throw NetworkError("invalid_setting", "\(variable) must not be \(network): it would let any address reach every site")
            }
            guard !network.overlaps(pool) else {
                throw NetworkError("invalid_setting", "\(variable) must not overlap the VPN pool \(pool), got \(network)")
            }
            return network
        }
        // nftables refuses overlapping ranges in one set: say which, rather than failing to load isolation.
        for (index, network) in networks.enumerated() {
            if let other = networks[..<index].first(where: { $0.overlaps(network) }) {
                throw NetworkError("invalid_setting", "\(variable) lists \(other) and \(network), which overlap: list each range once")
            }
        }
        return networks
    }

    /// Why the publication range cannot be used beside the hub's own HTTP port and the VPN's UDP ports, or nil.
    package func publishPortsProblem(hubPort: Int) -> String? {
        if publishPorts.lowerBound < 1024 { return "BERQENAS_PUBLISH_PORTS must not include ports below 1024 (the system's services)" }
        if publishPorts.contains(hubPort) { return "BERQENAS_PUBLISH_PORTS must not include the hub's own port \(hubPort)" }
        if publishPorts.overlaps(ports) {
            return "BERQENAS_PUBLISH_PORTS must not overlap BERQENAS_VPN_PORTS (\(ports.lowerBound)-\(ports.upperBound))"
        }
        return nil
    }

    /// `first-last` or a single port.
    static func parsePorts(_ text: String, variable: String, kind: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        let bounds: [Int] = parts.compactMap { $0 }
        guard bounds.count == parts.count, (1...2).contains(bounds.count), let low = bounds.first, let high = bounds.last,
            1...65535 ~= low, 1...65535 ~= high, low <= high
        else {
            throw NetworkError("invalid_setting", "\(variable) must be a \(kind) port or a range like 20000-29999, got '\(text)'")
        }
        return low...high
    }
}
