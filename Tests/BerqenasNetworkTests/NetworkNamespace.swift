import BerqenasNetwork
import Foundation

/// A network namespace a test makes and removes.
enum NetworkNamespace {
    /// Runs `body` in a new namespace named `prefix` and a random suffix, deleted afterwards whether `body`
    /// returned or threw.
    static func with<T>(_ prefix: String, _ body: (String) async throws -> T) async throws -> T {
        let namespace = prefix + "-" + UUID().uuidString.prefix(8).lowercased()
        try await CommandRunner().run("/usr/sbin/ip", ["netns", "add", namespace])
        let result: T
        do {
            result = try await body(namespace)
        } catch {
            _ = try? await CommandRunner().run("/usr/sbin/ip", ["netns", "delete", namespace])
            throw error
        }
        try await CommandRunner().run("/usr/sbin/ip", ["netns", "delete", namespace])
        return result
    }
}
