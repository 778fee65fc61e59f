import Foundation

/// Runs the system tools the network layer drives (`ip`, `wg`, `nft`, `wireguard-go`), optionally inside a
/// network namespace (`ip netns exec`), which is how tests keep everything they create apart.
public struct CommandRunner: Sendable {
    public var namespace: String?

    public init(namespace: String? = nil) {
        self.namespace = namespace
    }

    /// The executable and arguments that run `tool` here.
    func invocation(_ tool: String, _ arguments: [String]) -> (String, [String]) {
        guard let namespace else { return (tool, arguments) }
        return ("/usr/sbin/ip", ["netns", "exec", namespace, tool] + arguments)
    }

    /// Runs a tool to its end and returns its standard output; a non-zero exit throws its standard error.
    @discardableResult
    public func run(_ tool: String, _ arguments: [String], input: String? = nil) throws -> String {
        let (executable, fullArguments) = invocation(tool, arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = fullArguments
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        do {
            try process.run()
        } catch {
            throw NetworkError("command_failed", "cannot run \(tool): \(error.localizedDescription)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        // Read both pipes to their end before waiting, so a chatty tool cannot block on a full pipe.
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw NetworkError("command_failed", "\(([tool] + arguments).joined(separator: " ")) failed: \(message)")
        }
        return String(decoding: outputData, as: UTF8.self)
    }

    /// Starts a long-running tool (a daemon kept in the foreground) with its output discarded.
    public func spawn(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let (executable, fullArguments) = invocation(tool, arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = fullArguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw NetworkError("command_failed", "cannot start \(tool): \(error.localizedDescription)")
        }
        return process
    }
}
