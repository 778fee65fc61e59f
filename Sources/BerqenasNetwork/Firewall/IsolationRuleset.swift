/// The nftables table Berqenas owns (`inet berqenas`), rendered whole and replaced in one `nft -f`
/// transaction, so there is never a moment with half the rules.
///
/// - Traffic from one tenant's network to another's is dropped (by interface and by address).
/// - Spoke-to-spoke traffic inside a tenant (in and out of the same interface) is dropped unless the
///   tenant allows it.
/// - Spokes reach the hub itself only for replies to connections the hub opened, ICMP echo, and the TCP
///   ports listed as open to them (publications are forwarded, not delivered to the hub).
/// - What the hub itself sends into a tenant interface goes only to that tenant's own network (the hub's
///   connections for a tenant are checked against its network before they are opened; this is the floor
///   under that check, whatever the routing table says).
/// - Published services: allowed sources connecting to a public port on one of the hub's own addresses are
///   forwarded (DNAT) to the site and masqueraded as the hub's tunnel address, so the site answers through
///   the tunnel. Every forwarded connection into a tenant interface must belong to a listed publication:
///   one that was disabled or removed loses its open connections at once (TCP reset).
/// - The hub's other servers (`forwardFrom`) may open connections to sites through the tunnels, masqueraded
///   as the tenant's hub address; that is the only other forwarding into a tenant interface. Nothing a site
///   opens is forwarded out of the tunnels (a site cannot reach the hub's own network, or anything behind it,
///   through the hub), except to another site of its tenant when the tenant allows it.
package struct IsolationRuleset: Sendable, Equatable {
    package struct TenantNetwork: Sendable, Equatable {
        package var interface: String
        package var network: IPv4Network
        package var spokeToSpoke: Bool

        package init(interface: String, network: IPv4Network, spokeToSpoke: Bool) {
            self.interface = interface
            self.network = network
            self.spokeToSpoke = spokeToSpoke
        }
    }

    package static let table = "berqenas"

    package var networks: [TenantNetwork]
    /// All tenant networks come from this pool.
    package var pool: IPv4Network
    /// Hub TCP ports spokes may open connections to.
    package var hubPortsOpenToSpokes: [Int]

    /// Services forwarded from hub ports to sites (enabled ones only).
    package var publications: [PublishedService]
    /// The hub's other servers, which may reach sites through this gateway.
    package var forwardFrom: [IPv4Network]

    package init(
        networks: [TenantNetwork], pool: IPv4Network, hubPortsOpenToSpokes: [Int] = [], publications: [PublishedService] = [],
        forwardFrom: [IPv4Network] = []
    ) {
        self.networks = networks.sorted { $0.interface < $1.interface }
        self.pool = pool
        self.hubPortsOpenToSpokes = hubPortsOpenToSpokes.sorted()
        self.publications = publications.sorted { $0.publicPort < $1.publicPort }
        self.forwardFrom = forwardFrom
    }

    /// The `nft -f` script: create the table if missing, delete it, and add it back whole, in one transaction.
    package var script: String {
        var forward: [String] = []
        var input: [String] = []
        var output: [String] = []
        for tenant in networks {
            let name = Self.quoted(tenant.interface)
            output.append("oifname \(name) ip daddr != \(tenant.network) reject")
            if tenant.spokeToSpoke {
                forward.append("iifname \(name) oifname \"bq*\" oifname != \(name) drop")
            } else {
                forward.append("iifname \(name) oifname \"bq*\" drop")
            }
            forward.append("ip saddr \(tenant.network) ip daddr \(pool) ip daddr != \(tenant.network) drop")
        }
        forward += publicationForwarding
        for tenant in networks where tenant.spokeToSpoke {
            let name = Self.quoted(tenant.interface)
            forward.append("iifname \(name) oifname \(name) accept")
        }
        if let servers = hubServers {
            forward.append(#"iifname != "bq*" oifname "bq*" ip saddr \#(servers) ct direction original accept"#)
            forward.append(#"iifname "bq*" oifname != "bq*" ip daddr \#(servers) ct direction reply accept"#)
        }
        // ICMP errors about flows accepted above (unreachable, packet too big) keep them working.
        forward.append("ct state related accept")
        // Anything else forwarded in or out of a tenant interface: what a site opens towards the hub's side,
        // and what anyone else routes into the tunnels.
        forward.append(#"iifname "bq*" drop"#)
        forward.append(#"oifname "bq*" drop"#)
        input.append("iifname \"bq*\" ct state established,related accept")
        input.append("iifname \"bq*\" icmp type echo-request accept")
        if !hubPortsOpenToSpokes.isEmpty {
            input.append("iifname \"bq*\" tcp dport { \(hubPortsOpenToSpokes.map(String.init).joined(separator: ", ")) } accept")
        }
        input.append("iifname \"bq*\" drop")
        func chain(_ name: String, _ hook: String, _ rules: [String], type: String, priority: String = "filter") -> String {
            (["    chain \(name) {", "        type \(type) hook \(hook) priority \(priority); policy accept;"]
                + rules.map { "        " + $0 } + ["    }"]).joined(separator: "\n")
        }
        var body = [
            chain("forward", "forward", forward, type: "filter"), chain("input", "input", input, type: "filter"),
            chain("output", "output", output, type: "filter"),
        ]
        // NAT chains only when something is published or forwarded: they need the kernel's nf_nat, and
        // isolation must load without it.
        if !publications.isEmpty {
            body.insert(
                contentsOf: publications.flatMap { service in
                    [service.connectionsCounter, service.inboundCounter, service.outboundCounter].map { "    counter \($0) {\n    }" }
                }, at: 0)
            body.append(chain("prerouting", "prerouting", publications.map(Self.destinationNAT), type: "nat", priority: "dstnat"))
        }
        var masquerade: [String] = []
        if !publications.isEmpty { masquerade.append(#"oifname "bq*" ct status dnat masquerade"#) }
        if let servers = hubServers { masquerade.append(#"oifname "bq*" ip saddr \#(servers) masquerade"#) }
        if !masquerade.isEmpty { body.append(chain("postrouting", "postrouting", masquerade, type: "nat", priority: "srcnat")) }
        return """
            table inet \(Self.table)
            delete table inet \(Self.table)
            table inet \(Self.table) {
            \(body.joined(separator: "\n"))
            }

            """
    }

    /// The hub servers' networks as an nftables set, or nil when there are none.
    private var hubServers: String? {
        forwardFrom.isEmpty ? nil : "{ \(forwardFrom.map(\.description).joined(separator: ", ")) }"
    }

    /// Forwarded publication traffic: counted per direction and accepted; any other forwarded (DNAT)
    /// connection through a tenant interface is reset.
    private var publicationForwarding: [String] {
        var rules: [String] = []
        for service in publications {
            let flow = "meta l4proto tcp ct status dnat ct original proto-dst \(service.publicPort)"
            rules.append(#"oifname "bq*" \#(flow) ct direction original counter name "\#(service.inboundCounter)" accept"#)
            rules.append(#"iifname "bq*" \#(flow) ct direction reply counter name "\#(service.outboundCounter)" accept"#)
        }
        rules.append(#"oifname "bq*" meta l4proto tcp ct status dnat reject with tcp reset"#)
        rules.append(#"iifname "bq*" meta l4proto tcp ct status dnat reject with tcp reset"#)
        return rules
    }

    /// The DNAT rule of one publication: only to the hub's own addresses (or the bound one), only from
    /// allowed sources; each connection is counted once (NAT chains see a connection's first packet only).
    private static func destinationNAT(_ service: PublishedService) -> String {
        var matches = [service.bind.map { "ip daddr \($0)" } ?? "fib daddr type local", "tcp dport \(service.publicPort)"]
        if !service.allowed.contains(where: { $0.prefixLength == 0 }) {
            matches.append("ip saddr { \(service.allowed.map(\.description).joined(separator: ", ")) }")
        }
        return matches.joined(separator: " ")
            + #" counter name "\#(service.connectionsCounter)" dnat ip to \#(service.target):\#(service.targetPort)"#
    }

    /// The script that removes the table (when no network remains).
    package static var removal: String { "table inet \(table)\ndelete table inet \(table)\n" }

    static func quoted(_ interface: String) -> String { "\"\(interface)\"" }
}
