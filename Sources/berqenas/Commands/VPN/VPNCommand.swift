import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation

/// `berqenas vpn …`: a tenant's WireGuard network and its peers.
struct VPNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vpn", abstract: "A tenant's WireGuard network and its peers.",
        subcommands: [VPNEnable.self, VPNDisable.self, VPNStatus.self, VPNPeerCommand.self]
    )

    static let columns = ["enabled", "state", "backend", "network", "hub_address", "endpoint", "interface", "public_key", "error"]

    static func path(_ tenant: String) throws -> String { "/api/v1/tenants/\(try PathSegment.encode(tenant))/vpn" }

    /// Turns the tenant's VPN on or off and prints what the hub reports.
    static func set(enabled: Bool, tenant: String, output: OutputOptions) async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.PUT, try path(tenant), body: VPNBody(enabled: enabled)), columns: columns)
    }
}

struct VPNEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable the tenant's VPN (allocating its network the first time).")
    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await VPNCommand.set(enabled: true, tenant: tenant, output: output)
    }
}

struct VPNDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Take the tenant's VPN down (its network and peers are kept).")
    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await VPNCommand.set(enabled: false, tenant: tenant, output: output)
    }
}

struct VPNStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The tenant's VPN and its state.")
    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.GET, try VPNCommand.path(tenant)), columns: VPNCommand.columns)
    }
}

/// `berqenas vpn peer …`.
struct VPNPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer", abstract: "Machines on a tenant's network.",
        subcommands: [VPNPeerAdd.self, VPNPeerList.self, VPNPeerConfig.self, VPNPeerCheck.self, VPNPeerRevoke.self]
    )
    static let columns = ["name", "address", "connected", "latest_handshake", "public_key", "id"]
}

/// A tenant and one of its peers, by name or id.
struct PeerSelection: ParsableArguments {
    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "Peer name (or id).") var peer: String

    /// `/api/v1/tenants/<t>/vpn/peers/<id>`, looking the name up.
    func path(_ client: inout APIClient) async throws -> String {
        let base = try VPNCommand.path(tenant) + "/peers"
        if UUID(uuidString: peer) != nil { return "\(base)/\(peer)" }
        let list = try await client.send(.GET, base) as? [String: Any]
        guard let id = (list?["items"] as? [[String: Any]])?.first(where: { $0["name"] as? String == peer })?["id"] as? String else {
            throw CLIError("tenant '\(tenant)' has no peer named '\(peer)'")
        }
        return "\(base)/\(id)"
    }
}

struct VPNPeerAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a peer. Without --public-key the hub makes the keys and this prints the wg-quick file (to --config-out, or here).")
    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "Peer name.") var name: String
    @ArgumentParser.Option(name: .customLong("public-key"), help: "The peer's own public key (base64).") var publicKey: String?
    @ArgumentParser.Option(help: "Seconds between keepalives (useful behind NAT).") var keepalive: Int?
    @ArgumentParser.Option(name: .customLong("config-out"), help: "Write the wg-quick file here (mode 0600).") var configOut: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let body = VPNPeerRequest(name: name, publicKey: publicKey, persistentKeepalive: keepalive)
        var client = try APIClient.loggedIn()
        let created = try await client.send(.POST, try VPNCommand.path(tenant) + "/peers", body: body)
        var shown = created as? [String: Any] ?? [:]
        let config = shown.removeValue(forKey: "config") as? String
        if let config, let configOut {
            try VPNPeerConfig.write(Data(config.utf8), to: configOut)
        }
        try output.print(output.json ? created : shown, columns: VPNPeerCommand.columns)
        if let config, configOut == nil, !output.json { print("\n" + config, terminator: "") }
    }
}

struct VPNPeerList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A tenant's peers.")
    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.GET, try VPNCommand.path(tenant) + "/peers"), columns: VPNPeerCommand.columns)
    }
}

struct VPNPeerConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Download a peer's wg-quick file (hub-made keys only; audited).")
    @OptionGroup var selection: PeerSelection
    @ArgumentParser.Option(name: .customLong("out"), help: "Write it here (mode 0600) instead of printing it.") var out: String?
    @Flag(help: "Download it as a QR code (PNG) for a phone; needs --out.") var qr = false

    func validate() throws {
        if qr, out == nil { throw ValidationError("--qr writes a PNG image: give the file with --out") }
    }

    func run() async throws {
        var client = try APIClient.loggedIn()
        let path = try await selection.path(&client) + "/config"
        if qr, let out {
            try Self.write(Data(try await client.bytes(path + "?format=qr").readableBytesView), to: out)
            return
        }
        let text = try await client.text(path)
        if let out { try Self.write(Data(text.utf8), to: out) } else { print(text, terminator: "") }
    }

    /// Writes a config (or its QR code) readable by its owner only: it holds a private key.
    static func write(_ contents: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

struct VPNPeerRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a peer: it leaves the network at once.")
    @OptionGroup var selection: PeerSelection

    func run() async throws {
        var client = try APIClient.loggedIn()
        _ = try await client.send(.DELETE, try await selection.path(&client))
        print("revoked \(selection.peer)")
    }
}

struct VPNPeerCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Try a TCP connection through the tunnel to a port of the peer.")
    @OptionGroup var selection: PeerSelection
    @ArgumentParser.Option(help: "TCP port on the peer.") var port: Int
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let result = try await client.send(.POST, try await selection.path(&client) + "/check", body: PeerCheckBody(port: port))
        try output.print(result, columns: ["reachable", "latency_ms", "error"])
        if (result as? [String: Any])?["reachable"] as? Bool != true { throw ExitCode(1) }
    }
}
