import DatabaseConnectors
import Foundation
import Synchronization

/// Table descriptions a long-running sync loop reuses between its ticks, so a tick that carries a few
/// changes does not read both catalogs first. Entries expire after `lifetime` (a column added since is
/// seen by then) and the owner clears them after any failed tick.
package final class TableDescriptions: Sendable {
    /// A pair as described: the local table, the cloud table and whether the cloud table exists.
    struct Entry {
        var local: TableSchema
        var cloud: TableSchema
        var cloudExists: Bool
        var describedAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[SyncTablePair: Entry]>([:])
    package let lifetime: Duration

    /// Creates an empty cache whose entries live `lifetime`.
    package init(lifetime: Duration = .seconds(10)) {
        self.lifetime = lifetime
    }

    /// Forgets every description (after a failure, which may come from a changed table).
    package func clear() {
        entries.withLock { $0 = [:] }
    }

    func entry(for pair: SyncTablePair) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[pair], entry.describedAt.duration(to: .now) < lifetime else { return nil }
            return entry
        }
    }

    func remember(_ entry: Entry, for pair: SyncTablePair) {
        // A cloud table a dry run only planned is not remembered: the next real run creates it.
        guard entry.cloudExists else { return }
        entries.withLock { $0[pair] = entry }
    }
}
