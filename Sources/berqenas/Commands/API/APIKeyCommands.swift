import ArgumentParser
import BerqenasServer
import Foundation

/// `berqenas api key …`: keys of one API.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Keys of an API (sent as apikey: or Authorization: Bearer).",
        subcommands: [APIKeyCreate.self, APIKeyList.self, APIKeyRevoke.self]
    )
    static let columns = ["name", "prefix", "permissions", "expires_at", "allowed_cidrs", "rate_limit_per_minute", "id"]
}

struct APIKeyCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Make a key (printed once: store it now).")
    @OptionGroup var selection: APISelection
    @ArgumentParser.Option(help: "A name for the key.") var name: String
    @ArgumentParser.Option(help: "read or write.") var permissions = "read"
    @ArgumentParser.Option(name: .customLong("expires-at"), help: "When it stops working (ISO 8601, e.g. 2027-01-31T00:00:00Z).") var expiresAt:
        String?
    @ArgumentParser.Option(name: .customLong("allow"), help: "A network it may be used from (repeatable; default: everywhere).")
    var allow: [String] = []
    @ArgumentParser.Option(name: .customLong("rate-limit"), help: "Requests per minute.") var rateLimit: Int?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let body = APIKeyBody(
            name: name, permissions: permissions, expiresAt: expiresAt, allowedCIDRs: allow.isEmpty ? nil : allow,
            rateLimitPerMinute: rateLimit)
        let made = try await client.send(.POST, try selection.path + "/keys", body: body)
        try output.print(made, columns: ["key"] + APIKeyCommand.columns)
    }
}

struct APIKeyList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "An API's keys, by prefix.")
    @OptionGroup var selection: APISelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.GET, try selection.path + "/keys"), columns: APIKeyCommand.columns)
    }
}

struct APIKeyRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key (refused from the next request).")
    @OptionGroup var selection: APISelection
    @Argument(help: "The key's prefix (bqk_…) or id.") var key: String

    func run() async throws {
        var client = try APIClient.loggedIn()
        var id = key
        if UUID(uuidString: key) == nil {
            let list = try await client.send(.GET, try selection.path + "/keys") as? [String: Any]
            guard
                let found = (list?["items"] as? [[String: Any]])?.first(where: { key.hasPrefix($0["prefix"] as? String ?? "\u{0}") })?["id"]
                    as? String
            else {
                throw CLIError("API '\(selection.api)' has no key with prefix '\(key)'")
            }
            id = found
        }
        _ = try await client.send(.DELETE, try selection.path + "/keys/" + id)
        print("revoked \(key)")
    }
}
