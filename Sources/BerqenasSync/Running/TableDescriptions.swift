import DatabaseConnectors
import Foundation

/// Table descriptions a long-running sync loop reuses between its ticks, so a tick that carries a few
/// changes does not read both catalogs first. Entries expire after `lifetime` (a column added since is
/// seen by then) and the owner clears them after any failed tick.
public final class TableDescriptions: @unchecked Sendable {
    /// A pair as described: the local table, the cloud table and whether the cloud table exists.
    struct Entry {
        var local: TableSchema
        var cloud: TableSchema
        var cloudExists: Bool
        var describedAt: ContinuousClock.Instant
    }

    private let lock = NSLock()
    private var entries: [SyncTablePair: Entry] = [:]
    public let lifetime: Duration

    /// Creates an empty cache whose entries live `lifetime`.
    public init(lifetime: Duration = .seconds(10)) {
        self.lifetime = lifetime
    }

    /// Forgets every description (after a failure, which may come from a changed table).
    public func clear() {
        lock.withLock { entries = [:] }
    }

    func entry(for pair: SyncTablePair) -> Entry? {
        lock.withLock {
            guard let entry = entries[pair], entry.describedAt.duration(to: .now) < lifetime else { return nil }
            return entry
        }
    }

    func remember(_ entry: Entry, for pair: SyncTablePair) {
        // A cloud table a dry run only planned is not remembered: the next real run creates it.
        guard entry.cloudExists else { return }
        lock.withLock { entries[pair] = entry }
    }
}
