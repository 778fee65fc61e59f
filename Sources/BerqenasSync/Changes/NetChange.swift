import DatabaseConnectors

/// What a run of captured changes did to one row, start to end.
package struct NetChange: Sendable, Hashable {
    package var key: RowKey
    /// The row before the first change of the run (nil: it did not exist).
    package var before: RowImage?
    /// The row after the last change (nil: it was deleted).
    package var after: RowImage?
    /// Capture time of the last change (ISO 8601 with offset).
    package var capturedAt: String

    /// Creates a net change.
    package init(key: RowKey, before: RowImage?, after: RowImage?, capturedAt: String) {
        self.key = key
        self.before = before
        self.after = after
        self.capturedAt = capturedAt
    }

    /// Whether the run left the row as it found it (inserted and deleted again, or updated back).
    package var isNoOp: Bool { sameRow(before, after) }
}

/// Folds captured changes of one table into one net change per key.
package struct ChangeNetting: Sendable {
    package let table: TableSchema
    package private(set) var changes: [RowKey: NetChange] = [:]
    /// Keys in the order they were first touched (a stable apply order).
    package private(set) var order: [RowKey] = []

    /// Starts an empty fold for `table`.
    package init(table: TableSchema) {
        self.table = table
    }

    /// Adds changes in log order. A key update counts as a delete of the old key and an insert of the new.
    package mutating func add(_ records: [ChangeRecord]) throws {
        for record in records {
            switch record.operation {
            case .truncate:
                throw SyncError.truncateCaptured(table.table)
            case .insert:
                guard let new = record.newRow, let key = table.key(of: new) else { throw SyncError.imageWithoutKey(table.table) }
                touch(key, before: nil, after: new, at: record.capturedAt)
            case .update:
                guard let new = record.newRow, let old = record.oldRow,
                    let newKey = table.key(of: new), let oldKey = table.key(of: old)
                else {
                    throw SyncError.imageWithoutKey(table.table)
                }
                if newKey == oldKey {
                    touch(newKey, before: old, after: new, at: record.capturedAt)
                } else {
                    touch(oldKey, before: old, after: nil, at: record.capturedAt)
                    touch(newKey, before: nil, after: new, at: record.capturedAt)
                }
            case .delete:
                guard let old = record.oldRow, let key = table.key(of: old) else { throw SyncError.imageWithoutKey(table.table) }
                touch(key, before: old, after: nil, at: record.capturedAt)
            }
        }
    }

    /// The net changes that change something, in first-touched order.
    package var effective: [NetChange] {
        order.compactMap { changes[$0] }.filter { !$0.isNoOp }
    }

    private mutating func touch(_ key: RowKey, before: RowImage?, after: RowImage?, at time: String) {
        if var existing = changes[key] {
            existing.after = after
            existing.capturedAt = time
            changes[key] = existing
        } else {
            changes[key] = NetChange(key: key, before: before, after: after, capturedAt: time)
            order.append(key)
        }
    }
}
