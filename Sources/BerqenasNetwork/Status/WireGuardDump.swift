import Foundation

/// What `wg show <interface> dump` prints: a line for the interface, then one per peer, tab-separated.
package struct WireGuardDump: Sendable, Equatable {
    package struct Peer: Sendable, Equatable {
        package var publicKey: String
        /// `host:port` the peer last sent from (nil: never).
        package var endpoint: String?
        package var allowedIPs: [String]
        /// The last handshake (nil: never).
        package var latestHandshake: Date?
        package var receivedBytes: UInt64
        package var sentBytes: UInt64
        /// Seconds (nil: off).
        package var persistentKeepalive: Int?

        package init(
            publicKey: String, endpoint: String?, allowedIPs: [String], latestHandshake: Date?, receivedBytes: UInt64,
            sentBytes: UInt64, persistentKeepalive: Int?
        ) {
            self.publicKey = publicKey
            self.endpoint = endpoint
            self.allowedIPs = allowedIPs
            self.latestHandshake = latestHandshake
            self.receivedBytes = receivedBytes
            self.sentBytes = sentBytes
            self.persistentKeepalive = persistentKeepalive
        }
    }

    package var publicKey: String
    package var listenPort: Int
    package var peers: [Peer]

    /// Parses the dump; the interface's private key (its second field) is not kept.
    package init(parsing text: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        guard let interface = lines.first, interface.count == 4, let port = Int(interface[2]) else {
            throw NetworkError("invalid_dump", "the first line of `wg show dump` is not an interface line")
        }
        publicKey = String(interface[1])
        listenPort = port
        peers = try lines.dropFirst().map { fields in
            guard fields.count == 8, let handshake = TimeInterval(fields[4]), let received = UInt64(fields[5]),
                let sent = UInt64(fields[6])
            else {
                throw NetworkError("invalid_dump", "a peer line of `wg show dump` has an unexpected form")
            }
            return Peer(
                publicKey: String(fields[0]),
                endpoint: fields[2] == "(none)" ? nil : String(fields[2]),
                allowedIPs: fields[3] == "(none)" ? [] : fields[3].split(separator: ",").map(String.init),
                latestHandshake: handshake == 0 ? nil : Date(timeIntervalSince1970: handshake),
                receivedBytes: received,
                sentBytes: sent,
                persistentKeepalive: fields[7] == "off" ? nil : Int(fields[7])
            )
        }
    }
}
