import Foundation
import Synchronization

/// An interface as the hub wants it.
package struct InterfaceSpec: Sendable, Equatable {
    package var name: String
    package var address: IPv4Address
    package var network: IPv4Network
    package var listenPort: Int
    package var privateKey: WireGuardKey
    package var publicKey: WireGuardKey

    package init(
        name: String, address: IPv4Address, network: IPv4Network, listenPort: Int, privateKey: WireGuardKey,
        publicKey: WireGuardKey
    ) {
        self.name = name
        self.address = address
        self.network = network
        self.listenPort = listenPort
        self.privateKey = privateKey
        self.publicKey = publicKey
    }
}

/// WireGuard on Linux through `ip` and `wg`; the interface itself comes from the kernel module or from a
/// supervised `wireguard-go` daemon (restarted by the next `ensure` when it has died).
package final class LinuxWireGuard: Sendable {
    package enum Creation: Sendable { case kernel, userspace }

    package let creation: Creation
    package let runner: CommandRunner
    /// The wireguard-go daemons this backend started, by interface.
    private let daemons = Mutex<[String: Process]>([:])

    package init(creation: Creation, runner: CommandRunner = CommandRunner()) {
        self.creation = creation
        self.runner = runner
    }

    /// The automatic choice: the kernel module when loaded, else wireguard-go when installed, else nil.
    package static func detect(runner: CommandRunner = CommandRunner()) -> LinuxWireGuard? {
        if FileManager.default.fileExists(atPath: "/sys/module/wireguard") { return LinuxWireGuard(creation: .kernel, runner: runner) }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/wireguard-go") { return LinuxWireGuard(creation: .userspace, runner: runner) }
        return nil
    }

    /// Brings the interface to `spec` (creating it if missing), touching only what differs; returns the
    /// interface as it read it (its peers are still current: only key, port and address were set).
    @discardableResult
    package func ensure(_ spec: InterfaceSpec) async throws -> WireGuardDump? {
        if !(await exists(spec.name)) { try await create(spec.name) }
        let current = try await dump(spec.name)
        if current?.publicKey != spec.publicKey.base64 || current?.listenPort != spec.listenPort {
            try await runner.run(
                "/usr/bin/wg", ["set", spec.name, "listen-port", String(spec.listenPort), "private-key", "/dev/stdin"],
                input: spec.privateKey.base64 + "\n")
        }
        try await runner.run("/usr/sbin/ip", ["address", "replace", "\(spec.address)/\(spec.network.prefixLength)", "dev", spec.name])
        try await runner.run("/usr/sbin/ip", ["link", "set", spec.name, "up"])
        return current
    }

    /// Applies peer changes, up to 256 per `wg set` (an interface brought up with thousands of peers takes a
    /// few dozen commands, not thousands).
    package func apply(_ changes: [PeerChange], on name: String) async throws {
        for start in stride(from: 0, to: changes.count, by: 256) {
            var arguments = ["set", name]
            for change in changes[start..<min(start + 256, changes.count)] {
                switch change {
                case let .remove(publicKey):
                    arguments += ["peer", publicKey, "remove"]
                case let .set(peer):
                    arguments += [
                        "peer", peer.publicKey, "allowed-ips", peer.allowedIP,
                        "persistent-keepalive", peer.persistentKeepalive.map(String.init) ?? "off",
                    ]
                }
            }
            try await runner.run("/usr/bin/wg", arguments)
        }
    }

    /// The interface's state, or nil when it does not exist.
    package func dump(_ name: String) async throws -> WireGuardDump? {
        guard await exists(name) else { return nil }
        return try WireGuardDump(parsing: try await runner.run("/usr/bin/wg", ["show", name, "dump"]))
    }

    /// Takes the interface down and away (stopping its daemon).
    package func remove(_ name: String) async throws {
        let daemon = daemons.withLock { $0.removeValue(forKey: name) }
        if let daemon, daemon.isRunning {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        if await exists(name) { try await runner.run("/usr/sbin/ip", ["link", "delete", name]) }
    }

    /// Stops every daemon this backend started (their interfaces go with them).
    package func shutdown() {
        let all = daemons.withLock { daemons in
            defer { daemons = [:] }
            return Array(daemons.values)
        }
        for daemon in all where daemon.isRunning {
            daemon.terminate()
            daemon.waitUntilExit()
        }
    }

    /// The WireGuard interfaces here named like the hub names them (`bq` and a number).
    package func berqenasInterfaces() async throws -> [String] {
        var listing = try await runner.run("/usr/sbin/ip", ["-o", "link", "show", "type", "wireguard"])
        if creation == .userspace { listing += try await runner.run("/usr/sbin/ip", ["-o", "link", "show", "type", "tun"]) }
        return listing.split(separator: "\n").compactMap { line in
            // "7: bq0: <POINTOPOINT,…> mtu 1420 …"
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let name = fields[1].trimmingCharacters(in: .whitespaces)
            guard name.hasPrefix("bq"), name.count > 2, name.dropFirst(2).allSatisfy(\.isNumber) else { return nil }
            return name
        }
    }

    func exists(_ name: String) async -> Bool {
        (try? await runner.run("/usr/sbin/ip", ["link", "show", "dev", name])) != nil
    }

    private func create(_ name: String) async throws {
        switch creation {
        case .kernel:
            try await runner.run("/usr/sbin/ip", ["link", "add", "dev", name, "type", "wireguard"])
        case .userspace:
            // A daemon that was killed leaves its control socket behind; the new one must not be mistaken
            // for ready because of it.
            let socket = "/var/run/wireguard/\(name).sock"
            try? FileManager.default.removeItem(atPath: socket)
            let daemon = try runner.spawn(
                "/usr/bin/wireguard-go", ["-f", name],
                environment: ["WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD": "1"])
            daemons.withLock { $0[name] = daemon }
            // The daemon creates the interface, then its control socket, shortly after it starts (`wg`
            // talks to the socket; before it exists `wg` tries the kernel and fails).
            let deadline = Date().addingTimeInterval(10)
            while !(await exists(name)) || !FileManager.default.fileExists(atPath: socket) {
                guard daemon.isRunning, Date() < deadline else {
                    throw NetworkError("backend_failed", "wireguard-go did not bring up \(name) (is /dev/net/tun there, and are we root?)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
