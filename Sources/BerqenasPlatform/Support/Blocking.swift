import Dispatch

/// Runs blocking work (a name lookup) on a Dispatch thread, keeping Swift concurrency's few cooperative
/// threads free for the server meanwhile.
enum Blocking {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
