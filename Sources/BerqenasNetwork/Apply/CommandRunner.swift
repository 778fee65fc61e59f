import Foundation
import Subprocess
import SystemPackage

/// Runs the system tools the network layer drives (`ip`, `wg`, `nft`, `wireguard-go`), optionally inside a
/// network namespace (`ip netns exec`), which is how tests keep everything they create apart.
package struct CommandRunner: Sendable {
    package var namespace: String?
    /// How long one tool may run before it is killed and the call fails.
    package var timeout: Duration
    /// The most standard output one tool may write (`wg show dump` of 100,000 peers is about 20 MiB); more
    /// fails the call.
    package var outputLimit: Int
    /// The most standard error kept (it becomes an error message).
    static let errorLimit = 1 << 20

    package init(namespace: String? = nil, timeout: Duration = .seconds(60), outputLimit: Int = 64 << 20) {
        self.namespace = namespace
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// The executable and arguments that run `tool` here.
    func invocation(_ tool: String, _ arguments: [String]) -> (String, [String]) {
        guard let namespace else { return (tool, arguments) }
        return ("/usr/sbin/ip", ["netns", "exec", namespace, tool] + arguments)
    }

    /// Runs a tool to its end and returns its standard output; a non-zero exit throws its standard error.
    /// `input` is written while both outputs are read, so a tool that answers before it has read all its
    /// input cannot block on a full pipe. A tool still running after `timeout` is killed.
    @discardableResult
    package func run(_ tool: String, _ arguments: [String], input: String = "") async throws -> String {
        let command = ([tool] + arguments).joined(separator: " ")
        let (executable, fullArguments) = invocation(tool, arguments)
        let finished: Finished? = try await withThrowingTaskGroup(of: Finished?.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        .path(FilePath(executable)), arguments: Arguments(fullArguments),
                        input: .string(input), output: .string(limit: outputLimit),
                        error: .string(limit: Self.errorLimit)
                    )
                    return Finished(
                        succeeded: result.terminationStatus.isSuccess, output: result.standardOutput,
                        errors: result.standardError)
                } catch let error as SubprocessError where error.code == .outputLimitExceeded {
                    throw NetworkError("command_failed", "\(command) wrote more than \(outputLimit) bytes")
                } catch let error as SubprocessError {
                    throw NetworkError("command_failed", "cannot run \(tool): \(error.description)")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            // The first to end decides; the other is cancelled (a tool past its time is killed) and awaited.
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let finished else {
            throw NetworkError("command_timed_out", "\(command) did not finish within \(timeout)")
        }
        guard finished.succeeded else {
            let message = finished.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw NetworkError("command_failed", "\(command) failed: \(message)")
        }
        return finished.output
    }

    private struct Finished: Sendable {
        let succeeded: Bool
        let output: String
        let errors: String
    }

    /// Starts a long-running tool (a daemon kept in the foreground) with its output discarded. This stays on
    /// Foundation's `Process`: Subprocess ties a child to the scope of the call that runs it, and a daemon
    /// outlives the call that starts it (nothing is written to it or read from it, so no pipe can fill).
    package func spawn(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Process {
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
