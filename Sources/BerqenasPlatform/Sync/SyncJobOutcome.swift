import BerqenasSync
import DatabaseConnectors
import Foundation

/// What a job did, kept as JSON on the job row.
public struct SyncJobOutcome: Sendable, Codable, Hashable {
    public var tables: [SyncTableResult] = []
    /// False for jobs of hubs that kept at most 100,000 undo images, when a job changed more (rollback refuses).
    public var undoComplete = true
    /// Rollback jobs: rows restored, and rows left alone because they changed since (all counted, the first
    /// `RollbackTally.listLimit` listed).
    public var restored: Int?
    public var changedSince: [ChangedRow]?
    public var changedSinceCount: Int?

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
