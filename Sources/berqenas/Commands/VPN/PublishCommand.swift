import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation

/// `berqenas publish …`: a site's TCP service offered on a hub port.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish a site's TCP service on a hub port (through its peer's tunnel).",
        subcommands: [PublishAdd.self, PublishList.self, PublishEnable.self, PublishDisable.self, PublishStats.self, PublishRemove.self]
    )
    static let columns = ["public_port", "peer_name", "target_port", "allowed_cidrs", "enabled", "state", "mode", "id"]

    static func path(_ tenant: String) throws -> String { "/api/v1/tenants/\(try PathSegment.encode(tenant))/publications" }
}

/// A tenant and one of its publications, by public port or id.
struct PublicationSelection: ParsableArguments {
    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "The publication's public port (or id).") var publication: String

    /// `/api/v1/tenants/<t>/publications/<id>`, looking the port up.
    func path(_ client: inout APIClient) async throws -> String {
        let base = try PublishCommand.path(tenant)
        if UUID(uuidString: publication) != nil { return "\(base)/\(publication)" }
        guard let port = Int(publication) else { throw CLIError("'\(publication)' is neither a public port nor a publication id") }
        let list = try await client.send(.GET, base) as? [String: Any]
        guard let id = (list?["items"] as? [[String: Any]])?.first(where: { $0["public_port"] as? Int == port })?["id"] as? String else {
            throw CLIError("tenant '\(tenant)' publishes nothing on port \(port)")
        }
        return "\(base)/\(id)"
    }
}

struct PublishAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Publish a peer's TCP port on a hub port.")
    @OptionGroup var peer: PeerSelection
    @ArgumentParser.Option(name: .customLong("target-port"), help: "The service's port on the peer.") var targetPort: Int
    @ArgumentParser.Option(name: .customLong("public-port"), help: "The hub port clients connect to (unique across tenants).")
    var publicPort: Int
    @ArgumentParser.Option(name: .customLong("allow"), help: "A network allowed to connect (repeatable; default: everyone).")
    var allow: [String] = []
    @Flag(help: "Create it switched off.") var disabled = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let peerPath = try await peer.path(&client)
        guard let peerID = peerPath.split(separator: "/").last.flatMap({ UUID(uuidString: String($0)) }) else {
            throw CLIError("the server named the peer by an unexpected path: \(peerPath)")
        }
        let body = PublicationRequest(
            peerID: peerID, targetPort: targetPort, publicPort: publicPort, allowedCIDRs: allow.isEmpty ? nil : allow,
            enabled: !disabled)
        try output.print(try await client.send(.POST, try PublishCommand.path(peer.tenant), body: body), columns: PublishCommand.columns)
    }
}

struct PublishList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A tenant's publications.")
    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.GET, try PublishCommand.path(tenant)), columns: PublishCommand.columns)
    }
}

/// Switches a publication on or off.
struct PublishToggle {
    static func set(_ enabled: Bool, _ selection: PublicationSelection, output: OutputOptions) async throws {
        var client = try APIClient.loggedIn()
        let changed = try await client.send(.PATCH, try await selection.path(&client), body: PublicationRequest(enabled: enabled))
        try output.print(changed, columns: PublishCommand.columns)
    }
}

struct PublishEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Open a publication.")
    @OptionGroup var selection: PublicationSelection
    @OptionGroup var output: OutputOptions

    func run() async throws { try await PublishToggle.set(true, selection, output: output) }
}

struct PublishDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Close a publication at once (open connections included).")
    @OptionGroup var selection: PublicationSelection
    @OptionGroup var output: OutputOptions

    func run() async throws { try await PublishToggle.set(false, selection, output: output) }
}

struct PublishStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Connections and bytes a publication carried.")
    @OptionGroup var selection: PublicationSelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(
            try await client.send(.GET, try await selection.path(&client) + "/stats"),
            columns: ["connections", "bytes_in", "bytes_out", "mode"])
    }
}

struct PublishRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a publication.")
    @OptionGroup var selection: PublicationSelection

    func run() async throws {
        var client = try APIClient.loggedIn()
        _ = try await client.send(.DELETE, try await selection.path(&client))
        print("removed \(selection.publication)")
    }
}
