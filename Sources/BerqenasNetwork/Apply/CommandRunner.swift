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
        // Read both pipes to their end at the same time before waiting, so a chatty tool (`wg show dump` of
        // thousands of peers) cannot block on a full pipe while the other one is being read.
        let errorReading = PipeReading(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errorReading.wait()
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

/// A pipe read to its end on another thread.
private final class PipeReading: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    /// What was read (waits for the end of the pipe; the semaphore orders the write before this read).
    func wait() -> Data {
        done.wait()
        return data
    }
}

/// Runs blocking work (child processes) on a Dispatch thread, keeping Swift concurrency's few cooperative
/// threads free for the server while `wg` or `nft` runs.
public enum Blocking {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
