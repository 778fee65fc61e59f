import BerqenasSync
import DatabaseConnectors
import Foundation

/// What a job did, kept as JSON on the job row.
public struct SyncJobOutcome: Sendable, Codable, Hashable {
    public var tables: [SyncTableResult] = []
    /// False when the job changed more rows than the undo journal keeps (rollback then refuses).
    public var undoComplete = true
    /// Rollback jobs: rows restored, and rows left alone because they changed since.
    public var restored: Int?
    public var changedSince: [ChangedRow]?

    /// A row a rollback left alone.
    public struct ChangedRow: Sendable, Codable, Hashable {
        public var side: String
        public var table: String
        public var key: [PlainJSON]
    }

    public init() {}

    /// What a verification left differing (neither repaired nor parked), said in words; nil when nothing.
    public var unsettledDifferences: String? {
        let differing = tables.compactMap { result in result.verification.map { (result.table, $0.unsettled) } }.filter { $0.1 > 0 }
        guard !differing.isEmpty else { return nil }
        let rows = differing.map(\.1).reduce(0, +)
        return "\(rows) row(s) differ between the sides in " + differing.map { "\($0.0) (\($0.1))" }.joined(separator: ", ")
            + "; run verify with repair, or a bidirectional sync"
    }
}

/// JSON text of the journal's stored values.
enum StoredJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func value<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// One undo image as stored in a batch.
struct StoredUndo: Codable {
    var side: SyncSide
    var table: String
    var key: RowKey
    var before: RowImage?
    var after: RowImage?

    init(_ entry: UndoEntry) {
        side = entry.side
        table = entry.table.description
        key = entry.key
        before = entry.before
        after = entry.after
    }

    func entry() throws -> UndoEntry {
        UndoEntry(side: side, table: try TableNames.parse(table), key: key, before: before, after: after)
    }

    /// A job's images merged per row: the first `before` (the row as the job found it) and the last
    /// `after` (what the job left), in first-touched order. A batch replayed after a crash changes nothing.
    static func merged(_ batches: [[StoredUndo]]) throws -> [UndoEntry] {
        var order: [String] = []
        var merged: [String: UndoEntry] = [:]
        for stored in batches.joined() {
            let identity = "\(stored.side.rawValue)|\(stored.table)|\(try StoredJSON.text(stored.key))"
            if var existing = merged[identity] {
                existing.after = stored.after
                merged[identity] = existing
            } else {
                merged[identity] = try stored.entry()
                order.append(identity)
            }
        }
        return order.compactMap { merged[$0] }
    }
}
