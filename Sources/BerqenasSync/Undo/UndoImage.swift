import DatabaseConnectors

/// How to undo one row change, kept compactly: the row as the job found it on `side` and a fingerprint of
/// what the job wrote over it. Rollback restores `before` only where the row still matches the fingerprint.
package struct UndoImage: Sendable, Hashable, Codable {
    package var side: SyncSide
    package var table: TableRef
    package var key: RowKey
    package var before: RowImage?
    /// What the job wrote; nil: it deleted the row.
    package var written: WrittenFingerprint?

    package init(side: SyncSide, table: TableRef, key: RowKey, before: RowImage?, written: WrittenFingerprint?) {
        self.side = side
        self.table = table
        self.key = key
        self.before = before
        self.written = written
    }

    /// The compact form of an entry: `after` becomes its fingerprint.
    package init(_ entry: UndoEntry) {
        self.init(
            side: entry.side, table: entry.table, key: entry.key, before: entry.before,
            written: entry.after.map(WrittenFingerprint.init))
    }

    /// Whether `current` is still what the job wrote (on the columns it wrote).
    func isStill(_ current: RowImage?) -> Bool {
        switch (written, current) {
        case (nil, nil): true
        case let (written?, current?): written.matches(current)
        default: false
        }
    }

    /// Identifies the row across batches: side, table and the key in its stored JSON form.
    var identity: String {
        var bytes = Array("\(side.rawValue)|\(table.description)|".utf8)
        StoredJSONText.appendArray(key, to: &bytes) { $0.appendStoredJSON(to: &$1) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The digest (`RowDigest`) of the values a job wrote into a row, over the columns it wrote, by name.
package struct WrittenFingerprint: Sendable, Hashable, Codable {
    package var columns: [String]
    package var digest: Int64

    package init(columns: [String], digest: Int64) {
        self.columns = columns
        self.digest = digest
    }

    package init(_ image: RowImage) {
        columns = image.keys.sorted()
        digest = RowDigest.of(columns.map { image[$0] ?? .null })
    }

    /// Whether `row` holds the same values in these columns (a column it lacks reads as NULL).
    func matches(_ row: RowImage) -> Bool {
        RowDigest.of(columns.map { row[$0] ?? .null }) == digest
    }
}
