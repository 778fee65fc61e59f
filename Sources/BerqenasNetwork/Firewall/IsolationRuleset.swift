/// The nftables table Berqenas owns (`inet berqenas`), rendered whole and replaced in one `nft -f`
/// transaction, so there is never a moment with half the rules.
///
/// - Traffic from one tenant's network to another's is dropped (by interface and by address).
/// - Spoke-to-spoke traffic inside a tenant (in and out of the same interface) is dropped unless the
///   tenant allows it.
/// - Spokes reach the hub itself only for replies to connections the hub opened, ICMP echo, and the TCP
///   ports listed as open to them (publications are forwarded, not delivered to the hub).
public struct IsolationRuleset: Sendable, Equatable {
    public struct TenantNetwork: Sendable, Equatable {
        public var interface: String
        public var network: IPv4Network
        public var spokeToSpoke: Bool

        public init(interface: String, network: IPv4Network, spokeToSpoke: Bool) {
            self.interface = interface
            self.network = network
            self.spokeToSpoke = spokeToSpoke
        }
    }

    public static let table = "berqenas"

    public var networks: [TenantNetwork]
    /// All tenant networks come from this pool.
    public var pool: IPv4Network
    /// Hub TCP ports spokes may open connections to.
    public var hubPortsOpenToSpokes: [Int]

    public init(networks: [TenantNetwork], pool: IPv4Network, hubPortsOpenToSpokes: [Int] = []) {
        self.networks = networks.sorted { $0.interface < $1.interface }
        self.pool = pool
        self.hubPortsOpenToSpokes = hubPortsOpenToSpokes.sorted()
    }

    /// The `nft -f` script: create the table if missing, delete it, and add it back whole, in one transaction.
    public var script: String {
        var forward: [String] = []
        var input: [String] = []
        for tenant in networks {
            let name = Self.quoted(tenant.interface)
            if tenant.spokeToSpoke {
                forward.append("iifname \(name) oifname \"bq*\" oifname != \(name) drop")
            } else {
                forward.append("iifname \(name) oifname \"bq*\" drop")
            }
            forward.append("ip saddr \(tenant.network) ip daddr \(pool) ip daddr != \(tenant.network) drop")
        }
        input.append("iifname \"bq*\" ct state established,related accept")
        input.append("iifname \"bq*\" icmp type echo-request accept")
        if !hubPortsOpenToSpokes.isEmpty {
            input.append("iifname \"bq*\" tcp dport { \(hubPortsOpenToSpokes.map(String.init).joined(separator: ", ")) } accept")
        }
        input.append("iifname \"bq*\" drop")
        func chain(_ name: String, _ hook: String, _ rules: [String]) -> String {
            (["    chain \(name) {", "        type filter hook \(hook) priority filter; policy accept;"]
                + rules.map { "        " + $0 } + ["    }"]).joined(separator: "\n")
        }
        return """
            table inet \(Self.table)
            delete table inet \(Self.table)
            table inet \(Self.table) {
            \(chain("forward", "forward", forward))
            \(chain("input", "input", input))
            }

            """
    }

    /// The script that removes the table (when no network remains).
    public static var removal: String { "table inet \(table)\ndelete table inet \(table)\n" }

    static func quoted(_ interface: String) -> String { "\"\(interface)\"" }
}
