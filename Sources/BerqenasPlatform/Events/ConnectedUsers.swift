import FluentKit
import Foundation
import Synchronization

/// The users of this server's live connections, read again every few seconds in one query for all of them:
/// each connection is told its user as they are now (nil: deleted or disabled), so a change takes effect
/// within `interval` without one query per connection.
package final class ConnectedUsers: Sendable {
    package typealias Listener = @Sendable (Caller?) -> Void

    let database: any Database
    let interval: Duration
    private let watched = Mutex<[UUID: (userID: UUID, tell: Listener)]>([:])
    private let loop = PeriodicLoop()

    init(database: any Database, interval: Duration = .seconds(3)) {
        self.database = database
        self.interval = interval
    }

    package func start() {
        loop.start(interval: interval) { [self] in await pass() }
    }

    package func stop() async {
        await loop.stop()
    }

    /// Watches `userID` for a connection; returns the token for `remove`.
    package func add(userID: UUID, _ tell: @escaping Listener) -> UUID {
        let token = UUID()
        watched.withLock { $0[token] = (userID, tell) }
        return token
    }

    package func remove(_ token: UUID) {
        _ = watched.withLock { $0.removeValue(forKey: token) }
    }

    /// Reads every watched user once and tells each connection.
    func pass() async {
        let connections = watched.withLock { Array($0.values) }
        guard !connections.isEmpty else { return }
        let ids = Array(Set(connections.map(\.userID)))
        guard let users = try? await User.query(on: database).filter(\.$id ~~ ids).with(\.$tenant).all() else { return }
        var current: [UUID: Caller] = [:]
        for user in users where !user.disabled {
            if let caller = try? Caller(user) { current[caller.userID] = caller }
        }
        for connection in connections { connection.tell(current[connection.userID]) }
    }
}

extension Caller {
    /// The user as a caller (the tenant must be loaded).
    package init(_ user: User) throws {
        self.init(
            userID: try user.requireID(), username: user.username, role: user.role, tenantID: user.$tenant.id,
            tenantName: user.$tenant.value??.name)
    }
}
