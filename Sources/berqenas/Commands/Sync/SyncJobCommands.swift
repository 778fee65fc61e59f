import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import DatabaseConnectors
import Foundation

struct SyncRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Queue a sync job; with --wait, follow it and exit non-zero if it fails."
    )

    @OptionGroup var selection: RemoteSelection
    @ArgumentParser.Option(help: "full, incremental or bidirectional.") var mode: String
    @ArgumentParser.Option(name: .customLong("table"), help: "A table to sync (repeat; all keyed tables by default).")
    var tables: [String] = []
    @ArgumentParser.Option(help: "latest_wins, cloud_wins, local_wins or manual.") var strategy: String?
    @ArgumentParser.Flag(name: .customLong("dry-run"), help: "Plan everything and change nothing.") var dryRun = false
    @ArgumentParser.Flag(help: "Wait for the job, showing its progress.") var wait = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let body = SyncJobRequest(mode: mode, tables: tables.isEmpty ? nil : tables, conflictStrategy: strategy, dryRun: dryRun)
        let path = try await selection.remotePath(&client) + "/sync"
        let accepted = try await client.send(.POST, path, body: body) as? [String: Any] ?? [:]
        guard let jobID = accepted["job_id"] as? String else { throw CLIError("the server did not return a job id") }
        guard wait else {
            try output.print(accepted, columns: ["job_id", "status"])
            return
        }
        try await JobFollower.follow(jobID, tenant: selection.tenant, client: &client, output: output)
    }
}

struct SyncVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare both sides without writing (with --repair, carry the differences); with --wait, exit non-zero if they differ."
    )

    @OptionGroup var selection: RemoteSelection
    @ArgumentParser.Option(name: .customLong("table"), help: "A table to verify (repeat; all keyed tables by default).")
    var tables: [String] = []
    @ArgumentParser.Flag(help: "Carry the differences found, settled by --strategy.") var repair = false
    @ArgumentParser.Option(help: "With --repair: local_wins, cloud_wins or manual (park each as a conflict).") var strategy: String?
    @ArgumentParser.Flag(help: "Wait for the job, then list what differs.") var wait = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let body = VerifyRequest(tables: tables.isEmpty ? nil : tables, repair: repair, conflictStrategy: strategy)
        let accepted = try await client.send(.POST, try await selection.remotePath(&client) + "/verify", body: body) as? [String: Any] ?? [:]
        guard let jobID = accepted["job_id"] as? String else { throw CLIError("the server did not return a job id") }
        guard wait else {
            try output.print(accepted, columns: ["job_id", "status"])
            return
        }
        try await JobFollower.follow(
            jobID, tenant: selection.tenant, client: &client, output: output,
            columns: [
                "table", "verification.local_rows", "verification.cloud_rows", "verification.differing_rows",
                "verification.repaired", "verification.parked", "verification.duration_ms",
            ])
    }
}

struct SyncRollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Restore the rows a job changed that nobody changed since."
    )

    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "The job to roll back.") var job: String
    @ArgumentParser.Flag(help: "Wait for the rollback job.") var wait = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let path = "/api/v1/tenants/\(try PathSegment.encode(tenant))/sync-jobs/\(try PathSegment.encode(job))/rollback"
        let accepted = try await client.send(.POST, path) as? [String: Any] ?? [:]
        guard wait, let jobID = accepted["job_id"] as? String else {
            try output.print(accepted, columns: ["job_id", "status"])
            return
        }
        try await JobFollower.follow(jobID, tenant: tenant, client: &client, output: output)
    }
}

struct SyncHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "A tenant's sync jobs, newest first.")

    @Argument(help: "Tenant name.") var tenant: String
    @ArgumentParser.Option(help: "Only this remote database's jobs (its id).") var remote: String?
    @ArgumentParser.Option(help: "queued, running, succeeded, failed or cancelled.") var status: String?
    @ArgumentParser.Option(help: "Items per page.") var limit = 50
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        var path = "/api/v1/tenants/\(try PathSegment.encode(tenant))/sync-jobs?limit=\(limit)"
        if let remote { path += "&remote_database_id=\(try PathSegment.encode(remote))" }
        if let status { path += "&status=\(try PathSegment.encode(status))" }
        try output.print(
            try await client.send(.GET, path),
            columns: ["id", "mode", "status", "dry_run", "created_at", "duration_ms", "error.message"])
    }
}

struct SyncConflicts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conflicts", abstract: "Rows changed differently on both sides.")

    @Argument(help: "Tenant name.") var tenant: String
    @ArgumentParser.Option(help: "open or resolved.") var status = "open"
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let path = "/api/v1/tenants/\(try PathSegment.encode(tenant))/conflicts?status=\(try PathSegment.encode(status))"
        try output.print(try await client.send(.GET, path), columns: ["id", "table", "key", "status", "winner", "resolved_by", "created_at"])
    }
}

struct SyncResolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Settle a parked conflict on both sides.")

    @Argument(help: "Tenant name.") var tenant: String
    @Argument(help: "Conflict id.") var conflict: String
    @ArgumentParser.Option(help: "cloud, local or custom.") var winner: String
    @ArgumentParser.Option(help: "The row to write, as a JSON object (with --winner custom).") var row: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var custom: JSONValue?
        if let row {
            guard let object = try? JSONValue.parse(row), case .object = object else { throw CLIError("--row must be a JSON object") }
            custom = object
        }
        let body = ResolveConflictRequest(winner: winner, row: custom)
        var client = try APIClient.loggedIn()
        let path = "/api/v1/tenants/\(try PathSegment.encode(tenant))/conflicts/\(try PathSegment.encode(conflict))/resolve"
        try output.print(try await client.send(.POST, path, body: body), columns: ["id", "table", "status", "winner", "resolved_by"])
    }
}

struct SyncSchedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Show, set (--every-minutes or --cron) or --delete a remote database's schedule."
    )

    @OptionGroup var selection: RemoteSelection
    @ArgumentParser.Option(name: .customLong("every-minutes"), help: "Run every N minutes.") var everyMinutes: Int?
    @ArgumentParser.Option(help: "Five-field cron expression, UTC.") var cron: String?
    @ArgumentParser.Option(help: "full, incremental or bidirectional.") var mode = "incremental"
    @ArgumentParser.Option(help: "Conflict strategy.") var strategy: String?
    @ArgumentParser.Flag(help: "Keep the schedule but stop running it.") var disable = false
    @ArgumentParser.Flag(help: "Remove the schedule.") var delete = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        var client = try APIClient.loggedIn()
        let path = try await selection.remotePath(&client) + "/schedule"
        let columns = ["every_minutes", "cron", "mode", "enabled", "next_run_at", "last_run_at"]
        if delete {
            _ = try await client.send(.DELETE, path)
            print("schedule removed")
        } else if everyMinutes != nil || cron != nil {
            let body = ScheduleRequest(everyMinutes: everyMinutes, cron: cron, mode: mode, conflictStrategy: strategy, enabled: !disable)
            try output.print(try await client.send(.PUT, path, body: body), columns: columns)
        } else {
            try output.print(try await client.send(.GET, path), columns: columns)
        }
    }
}

/// Follows a job to its end with a progress bar on standard error; a failed or cancelled job exits 1.
enum JobFollower {
    static let syncColumns = ["table", "local_to_cloud", "cloud_to_local", "conflicts_detected", "conflicts_resolved", "conflicts_open"]

    static func follow(
        _ jobID: String, tenant: String, client: inout APIClient, output: OutputOptions,
        columns: [String] = syncColumns
    ) async throws {
        let path = "/api/v1/tenants/\(try PathSegment.encode(tenant))/sync-jobs/\(jobID)"
        var job: [String: Any] = [:]
        while true {
            job = try await client.send(.GET, path) as? [String: Any] ?? [:]
            let status = job["status"] as? String ?? "?"
            FileHandle.standardError.write(Data(("\r" + bar(job)).utf8))
            if ["succeeded", "failed", "cancelled"].contains(status) { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        try output.print(job["results"] ?? [], columns: columns)
        let status = job["status"] as? String ?? ""
        guard status == "succeeded" else {
            let error = (job["error"] as? [String: Any])?["message"] as? String
            FileHandle.standardError.write(Data("job \(jobID) \(status)\(error.map { ": \($0)" } ?? "")\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `[##########----------]  50%  tables 1/2  rows 100/200  running`.
    static func bar(_ job: [String: Any]) -> String {
        let progress = job["progress"] as? [String: Any] ?? [:]
        let tables = (progress["tables_done"] as? Int ?? 0, progress["tables_total"] as? Int ?? 0)
        let rows = (progress["rows_done"] as? Int ?? 0, progress["rows_total_estimate"] as? Int ?? 0)
        let status = job["status"] as? String ?? "?"
        var fraction = tables.1 > 0 ? Double(tables.0) / Double(tables.1) : 0
        if rows.1 > 0 { fraction = max(fraction, min(1, Double(rows.0) / Double(rows.1))) }
        if status == "succeeded" { fraction = 1 }
        let filled = Int((fraction * 20).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled) + "] "
            + String(format: "%3d%%", Int(fraction * 100)) + "  tables \(tables.0)/\(tables.1)  rows \(rows.0)/\(rows.1)  \(status)  "
    }
}
