import ArgumentParser
import BerqenasServer
import Foundation

/// `berqenas tenant …`.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Create, list, show and delete tenants.",
        subcommands: [Create.self, List.self, Show.self, Delete.self]
    )

    static let columns = ["name", "display_name", "status", "subdomain", "vpn_enabled", "quotas.max_connections", "created_at"]

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant and its store.")

        @Argument(help: "Tenant name: a lowercase letter, then 1 to 30 lowercase letters, digits or underscores.")
        var name: String
        @ArgumentParser.Option(name: .customLong("display-name"), help: "Human-facing name.")
        var displayName: String?
        @ArgumentParser.Option(help: "DNS label for the tenant.")
        var subdomain: String?
        @ArgumentParser.Flag(name: .customLong("vpn"), help: "Enable the tenant's WireGuard network.")
        var vpnEnabled = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let body = CreateTenantRequest(name: name, displayName: displayName, subdomain: subdomain, vpnEnabled: vpnEnabled)
            var client = try APIClient.loggedIn()
            try output.print(try await client.send(.POST, "/api/v1/tenants", body: body), columns: TenantCommand.columns)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")

        @ArgumentParser.Option(help: "Items per page.") var limit = 50
        @ArgumentParser.Option(help: "Items to skip.") var offset = 0
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var client = try APIClient.loggedIn()
            let page = try await client.send(.GET, "/api/v1/tenants?limit=\(limit)&offset=\(offset)")
            try output.print(page, columns: TenantCommand.columns)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one tenant.")

        @Argument(help: "Tenant name.") var name: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var client = try APIClient.loggedIn()
            try output.print(
                try await client.send(.GET, "/api/v1/tenants/\(try PathSegment.encode(name))"),
                columns: TenantCommand.columns)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suspend a tenant; with --permanent, drop a suspended tenant and its store for good."
        )

        @Argument(help: "Tenant name.") var name: String
        @ArgumentParser.Flag(help: "Drop the (already suspended) tenant and all its data irreversibly.")
        var permanent = false
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var client = try APIClient.loggedIn()
            let path = "/api/v1/tenants/\(try PathSegment.encode(name))" + (permanent ? "?permanent=true" : "")
            let answer = try await client.send(.DELETE, path)
            if permanent {
                if output.json { print("{\"deleted\": \"\(name)\"}") } else { print("tenant \(name) deleted permanently") }
            } else {
                try output.print(answer, columns: TenantCommand.columns)
            }
        }
    }
}

/// Percent-encodes one URL path segment.
enum PathSegment {
    static func encode(_ value: String) throws -> String {
        guard let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) else {
            throw CLIError("cannot encode '\(value)'")
        }
        return encoded
    }
}
