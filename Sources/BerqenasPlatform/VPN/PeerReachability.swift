import Foundation
import NIOCore
import NIOPosix

/// What a TCP connect to a peer's tunnel address found.
package struct PeerReachability: Sendable, Equatable {
    package var reachable: Bool
    package var latencyMilliseconds: Double?
    /// Why not, when not.
    package var error: String?

    /// Connects to `address:port` (through the tunnel, since the address is on it) and closes at once.
    static func probe(_ address: String, port: Int, timeout: Duration = .seconds(3)) async -> PeerReachability {
        let started = ContinuousClock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000)))
                .connect(host: address, port: port).get()
            let elapsed = started.duration(to: .now)
            try? await channel.close()
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return PeerReachability(reachable: true, latencyMilliseconds: (milliseconds * 100).rounded() / 100, error: nil)
        } catch {
            return PeerReachability(reachable: false, latencyMilliseconds: nil, error: describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("refused") { return "connection refused (nothing listens on that port)" }
        if text.contains("connectTimeout") { return "no answer within 3 s" }
        if text.contains("unreachable") { return "no route to the peer" }
        return text
    }
}
