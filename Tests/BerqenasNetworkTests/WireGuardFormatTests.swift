import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

@Suite(.blockingWork) struct WireGuardFormatTests {
    /// Runs `wg` (wireguard-tools, installed by scripts/install-test-deps.sh) with `input` on stdin.
    func wg(_ arguments: [String], input: String) async throws -> String {
        try await CommandRunner().run("/usr/bin/wg", arguments, input: input).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func generatedKeysAgreeWithWireGuardTools() async throws {
        for _ in 0..<3 {
            let pair = WireGuardKeyPair.generate()
            #expect(try await wg(["pubkey"], input: pair.privateKey.base64 + "\n") == pair.publicKey.base64)
            #expect(try WireGuardKeyPair(privateKey: pair.privateKey).publicKey == pair.publicKey)
        }
        let fromTools = try await wg(["genkey"], input: "")
        let derived = try WireGuardKeyPair(privateKey: WireGuardKey(base64: fromTools))
        #expect(try await wg(["pubkey"], input: fromTools + "\n") == derived.publicKey.base64)
        #expect(WireGuardKeyPair.generate().privateKey != WireGuardKeyPair.generate().privateKey)
    }

    @Test func malformedKeysAreRefused() {
        let good = WireGuardKeyPair.generate().publicKey.base64
        for bad in [
            "", "abc", String(good.dropLast()), good + "=", String(repeating: "A", count: 43) + "!", good.replacingOccurrences(of: "=", with: "A"),
        ] {
            #expect(throws: NetworkError.self, "\(bad)") { try WireGuardKey(base64: bad) }
        }
    }

    @Test func configIsWhatWgQuickReads() async throws {
        let peer = WireGuardKeyPair.generate()
        let hub = WireGuardKeyPair.generate()
        let config = WgQuickConfig(
            address: IPv4Address("10.60.2.2")!, networkPrefixLength: 24, privateKey: peer.privateKey,
            hubPublicKey: hub.publicKey, allowedIPs: try IPv4Network(parsing: "10.60.2.0/24"),
            endpoint: "hub.example.test:51820", persistentKeepalive: 25)
        #expect(
            config.text == """
                [Interface]
                Address = 10.60.2.2/24
                PrivateKey = \(peer.privateKey.base64)

                [Peer]
                PublicKey = \(hub.publicKey.base64)
                AllowedIPs = 10.60.2.0/24
                Endpoint = hub.example.test:51820
                PersistentKeepalive = 25

                """)
        // wg-quick reads the file and strips its own keys (Address), leaving what `wg setconf` takes.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wgconf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bq-test.conf")
        try config.text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let stripped = try await CommandRunner().run("/usr/bin/wg-quick", ["strip", file.path])
        #expect(!stripped.contains("Address"))
        #expect(stripped.contains("PrivateKey = \(peer.privateKey.base64)"))
        #expect(stripped.contains("Endpoint = hub.example.test:51820"))
        var noKeepalive = config
        noKeepalive.persistentKeepalive = nil
        #expect(!noKeepalive.text.contains("PersistentKeepalive"))
    }

    @Test func dumpLinesParse() throws {
        let hub = WireGuardKeyPair.generate()
        let one = WireGuardKeyPair.generate()
        let two = WireGuardKeyPair.generate()
        let text =
            [
                [hub.privateKey.base64, hub.publicKey.base64, "51820", "off"],
                [one.publicKey.base64, "(none)", "198.18.0.2:41234", "10.60.2.2/32", "1795000000", "1200", "3400", "25"],
                [two.publicKey.base64, "(none)", "(none)", "10.60.2.3/32,10.60.2.64/26", "0", "0", "0", "off"],
            ].map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n"
        let dump = try WireGuardDump(parsing: text)
        #expect(dump.publicKey == hub.publicKey.base64)
        #expect(dump.listenPort == 51820)
        #expect(dump.peers.count == 2)
        #expect(dump.peers[0].endpoint == "198.18.0.2:41234")
        #expect(dump.peers[0].latestHandshake == Date(timeIntervalSince1970: 1_795_000_000))
        #expect(dump.peers[0].receivedBytes == 1200 && dump.peers[0].sentBytes == 3400)
        #expect(dump.peers[0].persistentKeepalive == 25)
        #expect(dump.peers[1].endpoint == nil && dump.peers[1].latestHandshake == nil)
        #expect(dump.peers[1].allowedIPs == ["10.60.2.3/32", "10.60.2.64/26"])
        #expect(dump.peers[1].persistentKeepalive == nil)
        #expect(throws: NetworkError.self) { try WireGuardDump(parsing: "") }
        #expect(throws: NetworkError.self) { try WireGuardDump(parsing: text + "short\tline\n") }
    }
}
