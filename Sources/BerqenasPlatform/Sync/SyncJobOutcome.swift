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
