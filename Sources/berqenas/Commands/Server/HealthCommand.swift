import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1

/// `berqenas health`: asks a server whether it is ready (`/ready`; `--live` asks `/health`) and exits 0 or 1, for
/// a container's HEALTHCHECK or a script (the image needs no HTTP client of its own).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 when the server at --url is ready (GET /ready), 1 with the reason otherwise."
    )

    @Option(help: "The server's address (default: $BERQENAS_HOST and $BERQENAS_PORT, or 127.0.0.1 and 8080; 0.0.0.0 is asked at 127.0.0.1).")
    var url: String?

    @Flag(help: "Ask only whether the process answers (GET /health), not whether it is ready.")
    var live = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let port = environment["BERQENAS_PORT"].flatMap(Int.init) ?? 8080
        // A server listening on every address is asked on loopback; one bound to a single address, there.
        let host =
            switch environment["BERQENAS_HOST"] ?? "" {
            case "", "0.0.0.0", "::", "[::]": "127.0.0.1"
            case let address where address.contains(":") && !address.hasPrefix("["): "[\(address)]"
            case let address: address
            }
        let base = (url ?? "http://\(host):\(port)").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let answer = try await APIClient.perform(.GET, url: base + (live ? "/health" : "/ready"), body: nil, token: nil)
        let text = String(buffer: answer.body)
        guard answer.status.code == 200 else {
            FileHandle.standardError.write(Data("not \(live ? "alive" : "ready") (HTTP \(answer.status.code)): \(text)\n".utf8))
            throw ExitCode(1)
        }
        print(text)
    }
}
