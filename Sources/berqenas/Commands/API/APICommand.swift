import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation

/// `berqenas api …`: REST APIs generated over a tenant's store or remote databases.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api", abstract: "Generated REST APIs (PostgREST grammar) over a tenant store or a remote database.",
        subcommands: [APICreate.self, APIList.self, APIShow.self, APIRefresh.self, APIDelete.self, APIKeyCommand.self, APIOpenAPI.self]
    )
    static let columns = ["name", "auth", "source.kind", "max_rows", "url", "refreshed_at"]

    static func path(_ tenant: String) throws -> String { "/api/v1/tenants/\(try PathSegment.encode(tenant))/apis" }
}

/// A tenant and one of its APIs.
struct APISelection: ParsableArguments {
    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "API name.") var api: String

    var path: String {
        get throws { try APICommand.path(tenant) + "/" + (try PathSegment.encode(api)) }
    }
}

/// `--table name[:read,insert,update,delete]` options as the definition's table list.
enum TableGrants {
    static func parse(_ options: [String]) throws -> [TableGrant] {
        try options.map { option in
            let parts = option.split(separator: ":", maxSplits: 1).map(String.init)
            guard let name = parts.first, !name.isEmpty else { throw CLIError("--table needs a name (or *)") }
            guard parts.count == 2 else { return TableGrant(name: name) }
            let operations = try parts[1].split(separator: ",").map { word in
                guard let operation = APIOperation(rawValue: String(word)) else {
                    throw CLIError("--table \(option): operations are \(APIOperation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return operation
            }
            return TableGrant(name: name, operations: operations)
        }
    }
}

struct APICreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Define an API (served at once).")
    @OptionGroup var selection: APISelection
    @ArgumentParser.Option(help: "The remote database to serve (name or id); the tenant store when left out.") var remote: String?
    @ArgumentParser.Option(
        name: .customLong("table"), help: "A table to serve, as name or name:read,insert,update,delete (repeatable; default: * with every operation)."
    )
    var tables: [String] = []
    @ArgumentParser.Option(help: "api_key, jwt or public_read.") var auth = "api_key"
    @ArgumentParser.Option(name: .customLong("max-rows"), help: "The most rows one read returns.") var maxRows: Int?
    @Flag(name: .customLong("allow-unfiltered-writes"), help: "Let PATCH and DELETE without a filter change every row.") var unfiltered = false
    @Flag(help: "Let select= aggregate (amount.sum(), count()), grouped by the other columns.") var aggregates = false
    @ArgumentParser.Option(
        name: .customLong("function"), help: "A PostgreSQL function or SQL Server procedure to serve at /rpc/NAME (repeatable; * for every one).")
    var functions: [String] = []
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        var source = APISource.tenantStore
        if let remote {
            let path = try await RemoteSelection.parse([selection.tenant, remote]).remotePath(&client)
            guard let id = path.split(separator: "/").last.flatMap({ UUID(uuidString: String($0)) }) else {
                throw CLIError("the server named the remote database by an unexpected path: \(path)")
            }
            source = .remoteDatabase(id)
        }
        let body = APIDefinitionRequest(
            name: selection.api, source: source, tables: try TableGrants.parse(tables.isEmpty ? ["*"] : tables), auth: auth,
            maxRows: maxRows, allowUnfilteredWrites: unfiltered, aggregates: aggregates, functions: functions.isEmpty ? nil : functions)
        try output.print(try await client.send(.POST, try APICommand.path(selection.tenant), body: body), columns: APICommand.columns)
    }
}

struct APIList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A tenant's APIs.")
    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.GET, try APICommand.path(tenant)), columns: APICommand.columns)
    }
}

struct APIShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "An API with the tables and columns it serves.")
    @OptionGroup var selection: APISelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let api = try await client.send(.GET, try selection.path)
        guard !output.json, let object = api as? [String: Any] else { return try output.print(api, columns: APICommand.columns) }
        try output.print(object, columns: APICommand.columns)
        let tables = (object["tables"] as? [[String: Any]] ?? []).map { table -> [String: Any] in
            var row = table
            row["operations"] = (table["operations"] as? [String] ?? []).joined(separator: ",")
            row["columns"] = (table["columns"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.joined(separator: ",")
            row["primary_key"] = (table["primary_key"] as? [String] ?? []).joined(separator: ",")
            return row
        }
        print("")
        try output.print(tables, columns: ["name", "operations", "primary_key", "columns"])
    }
}

struct APIRefresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Introspect the API's source again.")
    @OptionGroup var selection: APISelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(try await client.send(.POST, try selection.path + "/refresh"), columns: APICommand.columns)
    }
}

struct APIDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an API (gone on the next request).")
    @OptionGroup var selection: APISelection

    func run() async throws {
        var client = try APIClient.loggedIn()
        _ = try await client.send(.DELETE, try selection.path)
        print("deleted \(selection.api)")
    }
}

struct APIOpenAPI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "openapi", abstract: "The API's OpenAPI 3.1 document.")
    @OptionGroup var selection: APISelection
    @ArgumentParser.Option(help: "Write it to this file instead of printing it.") var out: String?

    func run() async throws {
        var client = try APIClient.loggedIn()
        let document = try await client.text("/rest/v1/\(try PathSegment.encode(selection.tenant))/\(try PathSegment.encode(selection.api))/")
        if let out {
            try document.write(toFile: out, atomically: true, encoding: .utf8)
            print("wrote \(out)")
        } else {
            print(document)
        }
    }
}
