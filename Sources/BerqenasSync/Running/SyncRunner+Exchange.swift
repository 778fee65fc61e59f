import DatabaseConnectors
import Foundation

extension SyncRunner {
    /// Carries both sides' changes, settling rows changed on both. A table whose cloud side was never
    /// captured (synced by an earlier version, before capture started with the cloud table) is compared
    /// row by row first: every cloud row that differs counts as a cloud change, so edits made before
    /// capture are found instead of assumed away.
    func exchange(
        _ table: TableRun, strategy: ConflictStrategy, _ result: inout SyncTableResult,
        _ progress: inout SyncProgress
    ) async throws {
        var localCursor = try await journal.cursor(of: table.pair.local, side: .local)
        var cloudCursor = try await journal.cursor(of: table.pair.local, side: .cloud)
        var baseline: [RowKey: RowDifference] = [:]
        if cloudCursor == nil, table.cloudExists {
            if table.write {
                try await cloud.installCapture(on: table.pair.cloud, mode: .triggers)
                // Edits after this cursor are in the log; those before it are in the comparison (one made
                // in between is in both, and carried once: the log's image is the later).
                cloudCursor = try await drain(cloud, table.cloud, from: nil)
            }
            baseline = Dictionary(try await differences(table).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        }
        var more = true
        while more {
            try await journal.checkCancelled()
            let (localChanges, nextLocal, localMore) = try await netChanges(local, table.local, after: localCursor)
            var (cloudChanges, nextCloud, cloudMore) = try await netChanges(cloud, table.cloud, after: cloudCursor)
            if !baseline.isEmpty {
                cloudChanges = Self.merge(baseline: baseline, local: localChanges, cloudLogged: cloudChanges)
                baseline = [:]
            }
            let parked = try await journal.parkedKeys(of: table.pair)
            let plan = SyncPlanner.plan(local: localChanges, cloud: cloudChanges, strategy: strategy, parked: parked)
            let toCloud = try await guardWrites(plan.toCloud, to: .cloud, table.cloud, strategy: strategy, unloggedSideWinsLatest: true)
            let toLocal = try await guardWrites(plan.toLocal, to: .local, table.local, strategy: strategy, unloggedSideWinsLatest: true)
            let conflicts = plan.conflicts + toCloud.conflicts + toLocal.conflicts
            if table.write {
                try await write(
                    toCloud.write + toLocal.back, to: .cloud, table.cloud,
                    known: toLocal.back.isEmpty ? toCloud.current : nil, recordUndo: true)
                try await write(
                    toLocal.write + toCloud.back, to: .local, table.local,
                    known: toCloud.back.isEmpty ? toLocal.current : nil, recordUndo: true)
                if !conflicts.isEmpty { try await journal.recordConflicts(conflicts, of: table.pair) }
                try await journal.saveCursor(nextLocal, of: table.pair.local, side: .local)
                try await journal.saveCursor(nextCloud, of: table.pair.local, side: .cloud)
                try await local.acknowledge(nextLocal, of: [table.pair.local])
                try await cloud.acknowledge(nextCloud, of: [table.pair.cloud])
            }
            result.localToCloud += toCloud.write.count + toLocal.back.count
            result.cloudToLocal += toLocal.write.count + toCloud.back.count
            result.count(conflicts)
            progress.rowsDone += localChanges.count + cloudChanges.count
            localCursor = nextLocal
            cloudCursor = nextCloud
            more = localMore || cloudMore
        }
    }

    /// Cloud changes of a first compared run: each differing row is a change from the row's base (the
    /// local row as the last sync left it: before its pending local change, if any) to the cloud's row,
    /// stamped now. A row whose difference is only the pending local change is no cloud change. Logged
    /// cloud changes of the same rows come later and keep the base.
    static func merge(baseline: [RowKey: RowDifference], local: [NetChange], cloudLogged: [NetChange]) -> [NetChange] {
        let localByKey = Dictionary(local.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let stamp = CaptureInstant.text(Date())
        var changes: [RowKey: NetChange] = [:]
        var order: [RowKey] = []
        for difference in baseline.values.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let base = localByKey[difference.key].map(\.before) ?? difference.local
            if sameRow(base, difference.cloud), sameRow(difference.cloud, base) { continue }
            changes[difference.key] = NetChange(key: difference.key, before: base, after: difference.cloud, capturedAt: stamp)
            order.append(difference.key)
        }
        for change in cloudLogged {
            if var known = changes[change.key] {
                known.after = change.after
                known.capturedAt = change.capturedAt
                changes[change.key] = known
            } else {
                changes[change.key] = change
                order.append(change.key)
            }
        }
        return order.compactMap { changes[$0] }.filter { !$0.isNoOp }
    }

    /// Net changes of one side since `cursor` (up to a few batches), the cursor after them, and whether more wait.
    func netChanges(
        _ connector: any DatabaseConnector, _ table: TableSchema,
        after cursor: String?
    ) async throws -> ([NetChange], String, Bool) {
        var netting = ChangeNetting(table: table)
        var cursor = cursor
        for _ in 0..<10 {
            let batch = try await connector.readChanges(of: [table], after: cursor, excludingOrigin: origin, limit: changeBatch)
            try netting.add(batch.changes)
            cursor = batch.cursor
            if !batch.hasMore { return (netting.effective, batch.cursor, false) }
        }
        return (netting.effective, cursor ?? "", true)
    }
}
