import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// Whether real interfaces can be made here.
enum TunnelSupport {
    static let available =
        getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/net/tun")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/wireguard-go")
}

/// The wireguard-go backend for real, inside a network namespace the test makes and removes (root, TUN).
@Suite(.blockingWork, .enabled(if: TunnelSupport.available, "needs root, /dev/net/tun and wireguard-go (CI has them)"))
struct LinuxWireGuardTests {
    func peer(_ host: Int) -> DesiredPeer {
        DesiredPeer(
            publicKey: WireGuardKeyPair.generate().publicKey.base64, allowedIP: "198.18.10.\(host)/32",
            persistentKeepalive: host == 2 ? 25 : nil)
    }

    @Test func interfacesAndPeersAreAppliedByDifferenceAndADeadDaemonIsReplaced() async throws {
        try await NetworkNamespace.with("bqt") { namespace in
            let backend = LinuxWireGuard(creation: .userspace, runner: CommandRunner(namespace: namespace))
            defer { backend.shutdown() }
            try await appliesByDifferenceAndReplacesADeadDaemon(backend, namespace: namespace)
        }
    }

    private func appliesByDifferenceAndReplacesADeadDaemon(_ backend: LinuxWireGuard, namespace: String) async throws {
        let keys = WireGuardKeyPair.generate()
        // A name of its own: wireguard-go's control socket (/var/run/wireguard/<name>.sock) is shared by
        // every namespace.
        let name = "bqt" + namespace.suffix(6)
        let spec = InterfaceSpec(
            name: name, address: IPv4Address("198.18.10.1")!, network: try IPv4Network(parsing: "198.18.10.0/24"),
            listenPort: 51900, privateKey: keys.privateKey, publicKey: keys.publicKey)
        try await backend.ensure(spec)
        var dump = try #require(try await backend.dump(name))
        #expect(dump.publicKey == keys.publicKey.base64 && dump.listenPort == 51900 && dump.peers.isEmpty)
        let addresses = try await CommandRunner(namespace: namespace).run("/usr/sbin/ip", ["-o", "-4", "address", "show", "dev", name])
        #expect(addresses.contains("198.18.10.1/24"))

        var desired = [peer(2), peer(3), peer(4)]
        try await backend.apply(PeerReconciliation.changes(desired: desired, current: dump.peers), on: name)
        dump = try #require(try await backend.dump(name))
        #expect(Set(dump.peers.map(\.publicKey)) == Set(desired.map(\.publicKey)))
        #expect(dump.peers.first { $0.publicKey == desired[0].publicKey }?.persistentKeepalive == 25)

        // One more peer: one change, the others untouched.
        desired.append(peer(5))
        let adding = PeerReconciliation.changes(desired: desired, current: dump.peers)
        #expect(adding == [.set(desired[3])])
        try await backend.apply(adding, on: name)
        desired.remove(at: 1)
        let removing = PeerReconciliation.changes(desired: desired, current: try #require(try await backend.dump(name)).peers)
        #expect(removing == [.remove(publicKey: dump.peers.first { $0.allowedIPs == ["198.18.10.3/32"] }!.publicKey)])
        try await backend.apply(removing, on: name)
        dump = try #require(try await backend.dump(name))
        #expect(Set(dump.peers.map(\.publicKey)) == Set(desired.map(\.publicKey)))
        #expect(PeerReconciliation.changes(desired: desired, current: dump.peers).isEmpty)

        // The daemon dies (its interface with it); the next ensure brings both back.
        let pids = try await CommandRunner().run("/usr/sbin/ip", ["netns", "pids", namespace]).split(whereSeparator: \.isNewline)
        #expect(pids.count == 1, "the daemon is the namespace's one process")
        for pid in pids { kill(pid_t(pid)!, SIGKILL) }
        let deadline = Date().addingTimeInterval(5)
        // (While it goes, `wg` may fail on the dead daemon's socket: that reads as "not there yet".)
        while ((try? await backend.dump(name)) ?? nil) != nil, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await backend.dump(name) == nil)
        try await backend.ensure(spec)
        #expect(try await backend.dump(name)?.publicKey == keys.publicKey.base64)

        try await backend.remove(name)
        #expect(try await backend.dump(name) == nil)
    }

    @Test func onlyInterfacesNamedLikeTheHubsAreItsOwn() async throws {
        try await NetworkNamespace.with("bqt") { namespace in
            let runner = CommandRunner(namespace: namespace)
            for name in ["bq9", "bq12x", "tun0"] { try await runner.run("/usr/sbin/ip", ["tuntap", "add", "dev", name, "mode", "tun"]) }
            #expect(try await LinuxWireGuard(creation: .userspace, runner: runner).berqenasInterfaces() == ["bq9"])
            #expect(
                try await LinuxWireGuard(creation: .kernel, runner: runner).berqenasInterfaces() == [],
                "the kernel backend owns WireGuard links only")
        }
    }
}

struct PeerReconciliationTests {
    @Test func onlyDifferencesBecomeChanges() throws {
        let a = DesiredPeer(publicKey: "A", allowedIP: "10.60.0.2/32", persistentKeepalive: nil)
        let b = DesiredPeer(publicKey: "B", allowedIP: "10.60.0.3/32", persistentKeepalive: 25)
        let current = [
            WireGuardDump.Peer(
                publicKey: "A", endpoint: nil, allowedIPs: ["10.60.0.2/32"], latestHandshake: nil, receivedBytes: 0,
                sentBytes: 0, persistentKeepalive: nil),
            WireGuardDump.Peer(
                publicKey: "B", endpoint: nil, allowedIPs: ["10.60.0.9/32"], latestHandshake: nil, receivedBytes: 0,
                sentBytes: 0, persistentKeepalive: 25),
            WireGuardDump.Peer(
                publicKey: "C", endpoint: nil, allowedIPs: ["10.60.0.4/32"], latestHandshake: nil, receivedBytes: 0,
                sentBytes: 0, persistentKeepalive: nil),
        ]
        #expect(PeerReconciliation.changes(desired: [a, b], current: current) == [.remove(publicKey: "C"), .set(b)])
        #expect(PeerReconciliation.changes(desired: [], current: current).count == 3)
        #expect(PeerReconciliation.changes(desired: [a], current: Array(current.prefix(1))).isEmpty)
    }
}
