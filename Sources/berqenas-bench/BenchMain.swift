import Foundation

/// `berqenas-bench copy|verify|realtime|broadcast-server …`: the benchmark drivers `bench/` runs.
@main
enum BenchMain {
    static func main() async throws {
        let arguments = CommandLine.arguments
        switch arguments.count > 1 ? arguments[1] : "" {
        case "copy": try await SnapshotCopy.run(arguments)
        case "verify": try await VerifyTables.run(arguments)
        case "realtime": try await RealtimeClients.run(arguments)
        case "broadcast-server": try await BroadcastServer.run(arguments)
        default:
            FileHandle.standardError.write(Data("usage: berqenas-bench copy|verify|realtime|broadcast-server …\n".utf8))
            exit(2)
        }
    }
}
