import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation
import NIOHTTP1

/// `berqenas sync …`: remote databases, jobs, conflicts and schedules of a tenant.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Register remote databases and keep them in sync with the cloud store.",
        subcommands: [
            SyncRegister.self, SyncList.self, SyncTest.self, SyncTables.self, SyncRun.self, SyncVerify.self, SyncStatus.self,
            SyncHistory.self, SyncConflicts.self, SyncResolve.self, SyncRollback.self, SyncSchedule.self,
        ]
    )
}

/// The tenant and remote database a command works on (the remote by name or id).
struct RemoteSelection: ParsableArguments {
    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "Remote database name (or id).") var remote: String

    var tenantPath: String { get throws { "/api/v1/tenants/\(try PathSegment.encode(tenant))" } }

    /// `/api/v1/tenants/<t>/remote-databases/<id>`, looking the name up.
    func remotePath(_ client: inout APIClient) async throws -> String {
        let base = try tenantPath + "/remote-databases"
        if UUID(uuidString: remote) != nil { return "\(base)/\(remote)" }
        let remotes = try await client.send(.GET, base) as? [[String: Any]] ?? []
        guard let id = remotes.first(where: { $0["name"] as? String == remote })?["id"] as? String else {
            throw CLIError("tenant '\(tenant)' has no remote database named '\(remote)'")
        }
        return "\(base)/\(id)"
    }

    /// Sends `method` to `<remote path><suffix>` with a signed-in client.
    func send(_ method: HTTPMethod, _ suffix: String) async throws -> Any? {
        var client = try APIClient.loggedIn()
        let path = try await remotePath(&client) + suffix
        return try await client.send(method, path)
    }
}

struct SyncRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Register a remote database (tested at once).")

    @OptionGroup var selection: RemoteSelection
    @ArgumentParser.Option(help: "postgresql, mssql or sqlite.") var engine: String
    @ArgumentParser.Option(help: "Host name or address.") var host: String?
    @ArgumentParser.Option(help: "Port (5432 / 1433 by default).") var port: Int?
    @ArgumentParser.Option(help: "Database name (a file path for sqlite).") var database: String
    @ArgumentParser.Option(help: "Schema to sync (public / dbo by default).") var schema: String?
    @ArgumentParser.Option(help: "Login.") var username: String?
    @ArgumentParser.Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.")
    var passwordStdin = false
    @ArgumentParser.Option(help: "TLS: disable, prefer, require, verify_full (SQL Server: off, on, strict).") var tls: String?
    @ArgumentParser.Option(name: .customLong("target-prefix"), help: "Prefix of the cloud tables' names.") var targetPrefix: String?
    @ArgumentParser.Option(name: .customLong("capture-mode"), help: "triggers, change_tracking (SQL Server) or compare (nothing installed).")
    var captureMode: String?
    @ArgumentParser.Option(name: .customLong("watermark-column"), help: "compare mode: a column that rises when a row changes (updated_at).")
    var watermarkColumn: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var password: String?
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else { throw CLIError("no password on standard input") }
            password = line
        }
        let body = RemoteDatabaseRegistration(
            name: selection.remote, engine: engine, host: host, port: port, database: database, schema: schema,
            username: username, password: password, tls: tls, captureMode: captureMode, targetPrefix: targetPrefix,
            watermarkColumn: watermarkColumn)
        var client = try APIClient.loggedIn()
        try output.print(
            try await client.send(.POST, try selection.tenantPath + "/remote-databases", body: body),
            columns: SyncList.columns)
    }
}

struct SyncList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A tenant's remote databases.")
    static let columns = ["name", "engine", "host", "port", "database", "status", "continuous", "id"]

    @Argument(help: "Tenant name.") var tenant: String
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        try output.print(
            try await client.send(.GET, "/api/v1/tenants/\(try PathSegment.encode(tenant))/remote-databases"),
            columns: Self.columns)
    }
}

struct SyncTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Test a remote database's connection.")

    @OptionGroup var selection: RemoteSelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try output.print(
            try await selection.send(.POST, "/test"),
            columns: ["server_version", "latency_ms", "encrypted", "can_create_triggers", "logical_replication"])
    }
}

struct SyncTables: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "Tables of a remote database and whether each can sync.")

    @OptionGroup var selection: RemoteSelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try output.print(try await selection.send(.GET, "/tables"), columns: ["schema", "name", "row_estimate", "two_way", "reason"])
    }
}

struct SyncStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "A remote database's measured state.")

    @OptionGroup var selection: RemoteSelection
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try output.print(
            try await selection.send(.GET, "/status"),
            columns: [
                "reachable", "latency_ms", "last_job.status", "last_job.finished_at", "next_run_at",
                "pending_changes", "open_conflicts", "error",
            ])
    }
}
