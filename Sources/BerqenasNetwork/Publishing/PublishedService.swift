/// A site's TCP service offered on a hub port: connections to `publicPort` from an allowed network are
/// forwarded through the tunnel to `target` and `targetPort`.
public struct PublishedService: Sendable, Equatable {
    /// Names the service's counters (`pub_<key>_…`): letters, digits and `_` only.
    public var key: String
    public var publicPort: Int
    /// Sources allowed to connect; others are never forwarded.
    public var allowed: [IPv4Network]
    /// The hub address it is offered on; nil: every address of the hub.
    public var bind: IPv4Address?
    /// The site's tunnel address and port.
    public var target: IPv4Address
    public var targetPort: Int

    public init(key: String, publicPort: Int, allowed: [IPv4Network], bind: IPv4Address?, target: IPv4Address, targetPort: Int) {
        self.key = String(key.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        self.publicPort = publicPort
        self.allowed = allowed
        self.bind = bind
        self.target = target
        self.targetPort = targetPort
    }

    /// Whether a connection from `source` may use the service.
    public func admits(_ source: IPv4Address) -> Bool {
        allowed.contains { $0.contains(source) }
    }

    /// Its counters in the nftables table: new connections, bytes towards the site, bytes back.
    public var connectionsCounter: String { "pub_\(key)_conn" }
    public var inboundCounter: String { "pub_\(key)_in" }
    public var outboundCounter: String { "pub_\(key)_out" }
}

/// What a published service has carried.
public struct PublicationTraffic: Sendable, Equatable {
    public var connections: Int64
    /// Bytes from clients towards the site.
    public var bytesIn: Int64
    /// Bytes from the site back to clients.
    public var bytesOut: Int64

    public init(connections: Int64 = 0, bytesIn: Int64 = 0, bytesOut: Int64 = 0) {
        self.connections = connections
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }

    public static let zero = PublicationTraffic()

    public var isZero: Bool { self == .zero }

    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(connections: lhs.connections + rhs.connections, bytesIn: lhs.bytesIn + rhs.bytesIn, bytesOut: lhs.bytesOut + rhs.bytesOut)
    }

    /// What was added since `earlier` (counters only grow while their table stands).
    public func since(_ earlier: Self) -> Self {
        Self(connections: max(0, connections - earlier.connections), bytesIn: max(0, bytesIn - earlier.bytesIn),
             bytesOut: max(0, bytesOut - earlier.bytesOut))
    }
}
