import Synchronization

/// This server's open realtime sessions, so that a shutdown can tell each client to go elsewhere (close code
/// 1001) instead of leaving the HTTP server to wait for sockets that would stay open.
final class RealtimeSessions: Sendable {
    private let open = Mutex<[ObjectIdentifier: RealtimeSession]>([:])

    func add(_ session: RealtimeSession) {
        open.withLock { $0[ObjectIdentifier(session)] = session }
    }

    func remove(_ session: RealtimeSession) {
        _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(session)) }
    }

    var count: Int { open.withLock { $0.count } }

    /// Asks every session to close with 1001 ("going away").
    func closeAll() {
        for session in open.withLock({ Array($0.values) }) { session.shutDown() }
    }
}
