import BerqenasPlatform
import Vapor

/// What the hub keeps for the lifetime of the application.
struct BerqenasState: Sendable {
    let platform: Platform
    let tokens: TokenIssuer
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
