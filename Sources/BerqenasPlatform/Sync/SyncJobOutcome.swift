import BerqenasSync
import DatabaseConnectors
import Foundation

/// What a job did, kept as JSON on the job row.
package struct SyncJobOutcome: Sendable, Codable, Hashable {
    package var tables: [SyncTableResult] = []
    /// False for jobs of hubs that kept at most 100,000 undo images, when a job changed more (rollback refuses).
    package var undoComplete = true
    /// Rollback jobs: rows restored, and rows left alone because they changed since (all counted, the first
    /// `RollbackTally.listLimit` listed).
    package var restored: Int?
    package var changedSince: [ChangedRow]?
    package var changedSinceCount: Int?

    /// A row a rollback left alone.
    package struct ChangedRow: Sendable, Codable, Hashable {
        package var side: String
        package var table: String
        package var key: [JSONValue]
    }

    package init() {}

    /// What a verification left differing (neither repaired nor parked), said in words; nil when nothing.
    package var unsettledDifferences: String? {
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
