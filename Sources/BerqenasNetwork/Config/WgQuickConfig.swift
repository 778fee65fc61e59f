/// A peer's configuration file as `wg-quick` reads it: its own interface, and the hub as its one peer.
package struct WgQuickConfig: Sendable, Equatable {
    /// The peer's tunnel address, with the tenant network's prefix length.
    package var address: IPv4Address
    package var networkPrefixLength: Int
    package var privateKey: WireGuardKey
    package var hubPublicKey: WireGuardKey
    /// What the peer routes through the tunnel: the tenant network.
    package var allowedIPs: IPv4Network
    /// `host:port` of the hub; nil when the hub has no public endpoint configured (the file then says so
    /// in a comment, and the peer cannot start the tunnel).
    package var endpoint: String?
    /// Seconds between keepalives (nil: none).
    package var persistentKeepalive: Int?

    package init(
        address: IPv4Address, networkPrefixLength: Int, privateKey: WireGuardKey, hubPublicKey: WireGuardKey,
        allowedIPs: IPv4Network, endpoint: String?, persistentKeepalive: Int?
    ) {
        self.address = address
        self.networkPrefixLength = networkPrefixLength
        self.privateKey = privateKey
        self.hubPublicKey = hubPublicKey
        self.allowedIPs = allowedIPs
        self.endpoint = endpoint
        self.persistentKeepalive = persistentKeepalive
    }

    /// The file's text.
    package var text: String {
        var lines = [
            "[Interface]",
            "Address = \(address)/\(networkPrefixLength)",
            "PrivateKey = \(privateKey.base64)",
            "",
            "[Peer]",
            "PublicKey = \(hubPublicKey.base64)",
            "AllowedIPs = \(allowedIPs)",
            endpoint.map { "Endpoint = \($0)" } ?? "# Endpoint: unknown until the hub sets BERQENAS_PUBLIC_ENDPOINT",
        ]
        if let keepalive = persistentKeepalive { lines.append("PersistentKeepalive = \(keepalive)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
