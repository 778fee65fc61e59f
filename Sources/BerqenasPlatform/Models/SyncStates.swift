import BerqenasSync
import DatabaseConnectors

/// Where a sync job stands.
public enum SyncJobStatus: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// Whether the job has ended (nothing more will happen to it).
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }

    /// The statuses, as a message lists them ("queued, running, … or cancelled").
    public static let listed = StoredChoice.list(allCases.map(\.rawValue))
}

/// What a job does: a sync in one of the engine's modes, or the rollback of an earlier job.
/// Stored as one word: the mode's name, or `rollback`.
public enum SyncJobKind: Sendable, Equatable, Codable, CustomStringConvertible {
    case sync(SyncMode)
    case rollback

    public init?(rawValue: String) {
        if rawValue == "rollback" {
            self = .rollback
        } else if let mode = SyncMode(rawValue: rawValue) {
            self = .sync(mode)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case let .sync(mode): mode.rawValue
        case .rollback: "rollback"
        }
    }

    public var description: String { rawValue }

    /// The sync mode, nil for a rollback.
    public var syncMode: SyncMode? {
        if case let .sync(mode) = self { return mode }
        return nil
    }

    public init(from decoder: any Decoder) throws {
        self = try StoredChoice.decode(decoder, Self.init(rawValue:))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A conflict waits for a decision (`open`) or has one (`resolved`).
public enum ConflictStatus: String, Codable, Sendable, CaseIterable {
    case open, resolved
}

/// The side whose row a resolved conflict kept, or `custom` for a value someone wrote.
public enum ConflictWinner: String, Codable, Sendable, CaseIterable {
    case cloud, local, custom

    /// The side a strategy chose.
    public init(_ side: SyncSide) {
        switch side {
        case .cloud: self = .cloud
        case .local: self = .local
        }
    }
}

/// The outcome of a remote database's last connection test.
public enum ConnectionTestStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case untested
    case ok
    /// The test failed with this connector error.
    case failed(ConnectorError.Code)

    public init?(rawValue: String) {
        switch rawValue {
        case "untested": self = .untested
        case "ok": self = .ok
        default:
            guard let code = ConnectorError.Code(rawValue: rawValue) else { return nil }
            self = .failed(code)
        }
    }

    public var rawValue: String {
        switch self {
        case .untested: "untested"
        case .ok: "ok"
        case let .failed(code): code.rawValue
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self = try StoredChoice.decode(decoder, Self.init(rawValue:))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Reading a stored word back into its enum: an unknown word is an error, never a silent default.
enum StoredChoice {
    static func decode<T>(_ decoder: any Decoder, _ make: (String) -> T?) throws -> T {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = make(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown stored value '\(text)' for \(T.self)")
        }
        return value
    }

    /// "a, b or c".
    static func list(_ words: [String]) -> String {
        guard words.count > 1 else { return words.joined() }
        return words.dropLast().joined(separator: ", ") + " or " + words[words.count - 1]
    }
}
