/// A site's TCP service offered on a hub port: connections to `publicPort` from an allowed network are
/// forwarded through the tunnel to `target` and `targetPort`.
package struct PublishedService: Sendable, Equatable {
    /// Names the service's counters (`pub_<key>_…`): letters, digits and `_` only.
    package var key: String
    package var publicPort: Int
    /// Sources allowed to connect; others are never forwarded.
    package var allowed: [IPv4Network]
    /// The hub address it is offered on; nil: every address of the hub.
    package var bind: IPv4Address?
    /// The site's tunnel address and port.
    package var target: IPv4Address
    package var targetPort: Int

    package init(key: String, publicPort: Int, allowed: [IPv4Network], bind: IPv4Address?, target: IPv4Address, targetPort: Int) {
        self.key = String(key.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        self.publicPort = publicPort
        self.allowed = allowed
        self.bind = bind
        self.target = target
        self.targetPort = targetPort
    }

    /// Whether a connection from `source` may use the service.
    package func admits(_ source: IPv4Address) -> Bool {
        allowed.contains { $0.contains(source) }
    }

    /// Its counters in the nftables table: new connections, bytes towards the site, bytes back.
    package var connectionsCounter: String { "pub_\(key)_conn" }
    package var inboundCounter: String { "pub_\(key)_in" }
    package var outboundCounter: String { "pub_\(key)_out" }
}

/// What a published service has carried.
package struct PublicationTraffic: Sendable, Equatable {
    package var connections: Int64
    /// Bytes from clients towards the site.
    package var bytesIn: Int64
    /// Bytes from the site back to clients.
    package var bytesOut: Int64

    package init(connections: Int64 = 0, bytesIn: Int64 = 0, bytesOut: Int64 = 0) {
        self.connections = connections
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }

    package static let zero = PublicationTraffic()

    package var isZero: Bool { self == .zero }

    package static func + (lhs: Self, rhs: Self) -> Self {
        Self(connections: lhs.connections + rhs.connections, bytesIn: lhs.bytesIn + rhs.bytesIn, bytesOut: lhs.bytesOut + rhs.bytesOut)
    }

    /// What was added since `earlier` (counters only grow while their table stands).
    package func since(_ earlier: Self) -> Self {
        Self(
            connections: max(0, connections - earlier.connections), bytesIn: max(0, bytesIn - earlier.bytesIn),
            bytesOut: max(0, bytesOut - earlier.bytesOut))
    }
}
