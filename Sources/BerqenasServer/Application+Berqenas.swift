import BerqenasPlatform
import FluentKit
import Vapor

/// What the hub keeps for the lifetime of the application (a class: every request reads it, and a reference
/// is cheaper to hand out than a copy of the platform's services).
final class BerqenasState: Sendable {
    let platform: Platform
    let tokens: TokenIssuer
    /// This server's realtime WebSocket sessions.
    let realtime: RealtimeSessions
    /// Which of this server's background loops run (`/ready`).
    let loops = RunningLoops()

    init(platform: Platform, tokens: TokenIssuer, database: any Database, logger: Logger) {
        self.platform = platform
        self.tokens = tokens
        self.realtime = RealtimeSessions(platform: platform, tokens: tokens, database: database, logger: logger)
    }
}

extension Application {
    private struct BerqenasStateKey: StorageKey { typealias Value = BerqenasState }

    /// The hub's services; set by `BerqenasServer.configure`.
    var berqenas: BerqenasState {
        get {
            guard let state = storage[BerqenasStateKey.self] else {
                preconditionFailure("BerqenasServer.configure(_:) has not run")
            }
            return state
        }
        set { storage[BerqenasStateKey.self] = newValue }
    }
}

extension Request {
    /// The hub's services.
    var berqenas: BerqenasState { application.berqenas }
}
