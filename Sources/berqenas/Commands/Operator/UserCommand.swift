import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation

/// `berqenas user …`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create and list users.", subcommands: [Create.self, List.self]
    )

    static let columns = ["username", "role", "tenant", "disabled", "id"]

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from standard input.")

        @Argument(help: "Username.") var username: String
        @ArgumentParser.Option(help: "admin, tenant_admin or tenant_viewer.") var role: String
        @ArgumentParser.Option(help: "Tenant of a tenant_admin or tenant_viewer.") var tenant: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw CLIError("give the new user's password on standard input")
            }
            guard let role = UserRole(rawValue: role) else {
                throw CLIError("--role must be one of \(UserRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let body = CreateUserRequest(username: username, password: password, role: role, tenant: tenant)
            var client = try APIClient.loggedIn()
            try output.print(try await client.send(.POST, "/api/v1/users", body: body), columns: UserCommand.columns)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")

        @ArgumentParser.Option(help: "Only this tenant's users.") var tenant: String?
        @ArgumentParser.Option(help: "Items per page.") var limit = 50
        @ArgumentParser.Option(help: "Items to skip.") var offset = 0
        @OptionGroup var output: OutputOptions

        func run() async throws {
            var client = try APIClient.loggedIn()
            var path = "/api/v1/users?limit=\(limit)&offset=\(offset)"
            if let tenant { path += "&tenant=\(try PathSegment.encode(tenant))" }
            try output.print(try await client.send(.GET, path), columns: UserCommand.columns)
        }
    }
}
