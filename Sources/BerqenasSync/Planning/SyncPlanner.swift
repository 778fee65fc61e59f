import DatabaseConnectors

/// How a row changed on both sides since the last sync is settled.
package enum ConflictStrategy: String, Sendable, Codable, CaseIterable {
    /// The side whose change was captured later wins; equal capture times go to the cloud.
    case latestWins = "latest_wins"
    case cloudWins = "cloud_wins"
    case localWins = "local_wins"
    /// Park the row (both sides keep their version) until someone resolves it.
    case manual
}

/// One side of a sync: the tenant's on-premise database or its cloud store.
package enum SyncSide: String, Sendable, Codable, CaseIterable {
    case local
    case cloud
}

/// A row both sides changed differently.
package struct PlannedConflict: Sendable, Hashable {
    package var key: RowKey
    /// The row as it was before either change (from whichever side's log saw it first).
    package var base: RowImage?
    package var local: RowImage?
    package var cloud: RowImage?
    package var localCapturedAt: String
    package var cloudCapturedAt: String
    /// The side whose version was applied to both; nil when parked.
    package var winner: SyncSide?
    /// The sides that reported a change this run (a parked row may change again on one side only; the
    /// other side's image is then the one already on record).
    package var changedOn: [SyncSide]
}

/// What a bidirectional run does to one table.
package struct SyncPlan: Sendable {
    /// Rows to write on the cloud side (the local side's result).
    package var toCloud: [NetChange] = []
    /// Rows to write on the local side.
    package var toLocal: [NetChange] = []
    package var conflicts: [PlannedConflict] = []
    /// Rows both sides changed to the same result (nothing to do, no conflict).
    package var identical = 0

    package var resolvedConflicts: Int { conflicts.filter { $0.winner != nil }.count }
    package var openConflicts: Int { conflicts.filter { $0.winner == nil }.count }
}

/// Decides, row by row, what each side needs (pure).
package enum SyncPlanner {
    /// Plans one table from the net changes of each side. Keys in `parked` (open conflicts) stay parked,
    /// with their images refreshed, whatever the strategy.
    package static func plan(
        local: [NetChange], cloud: [NetChange], strategy: ConflictStrategy,
        parked: Set<RowKey> = []
    ) -> SyncPlan {
        var plan = SyncPlan()
        let cloudByKey = Dictionary(cloud.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let localKeys = Set(local.map(\.key))
        for change in local {
            guard let other = cloudByKey[change.key] else {
                if parked.contains(change.key) {
                    plan.conflicts.append(conflict(local: change, cloud: nil, winner: nil))
                } else {
                    plan.toCloud.append(change)
                }
                continue
            }
            if sameRow(change.after, other.after), !parked.contains(change.key) {
                plan.identical += 1
                continue
            }
            let winner = parked.contains(change.key) ? nil : decide(strategy, local: change, cloud: other)
            plan.conflicts.append(conflict(local: change, cloud: other, winner: winner))
            // A winner's write expects the loser's result on the other side (its `before`), which the
            // runner checks before it writes.
            switch winner {
            case .local?: plan.toCloud.append(NetChange(key: change.key, before: other.after, after: change.after, capturedAt: change.capturedAt))
            case .cloud?: plan.toLocal.append(NetChange(key: other.key, before: change.after, after: other.after, capturedAt: other.capturedAt))
            case nil: break
            }
        }
        for change in cloud where !localKeys.contains(change.key) {
            if parked.contains(change.key) {
                plan.conflicts.append(conflict(local: nil, cloud: change, winner: nil))
            } else {
                plan.toLocal.append(change)
            }
        }
        return plan
    }

    static func decide(_ strategy: ConflictStrategy, local: NetChange, cloud: NetChange) -> SyncSide? {
        switch strategy {
        case .cloudWins: return .cloud
        case .localWins: return .local
        case .manual: return nil
        case .latestWins:
            let localAt = CaptureInstant.microseconds(local.capturedAt) ?? .min
            let cloudAt = CaptureInstant.microseconds(cloud.capturedAt) ?? .min
            return localAt > cloudAt ? .local : .cloud
        }
    }

    private static func conflict(local: NetChange?, cloud: NetChange?, winner: SyncSide?) -> PlannedConflict {
        let key = local?.key ?? cloud?.key ?? []
        return PlannedConflict(
            key: key, base: local?.before ?? cloud?.before, local: local?.after, cloud: cloud?.after,
            localCapturedAt: local?.capturedAt ?? "", cloudCapturedAt: cloud?.capturedAt ?? "", winner: winner,
            changedOn: (local == nil ? [] : [.local]) + (cloud == nil ? [] : [.cloud])
        )
    }
}
