import BerqenasSync
import DatabaseConnectors

/// Where a sync job stands.
package enum SyncJobStatus: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// Whether the job has ended (nothing more will happen to it).
    package var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }

    /// The statuses, as a message lists them ("queued, running, … or cancelled").
    package static let listed = StoredChoice.list(allCases.map(\.rawValue))
}

/// What a job does: a sync in one of the engine's modes, or the rollback of an earlier job.
/// Stored as one word: the mode's name, or `rollback`.
package enum SyncJobKind: Sendable, Equatable, Codable, CustomStringConvertible {
    case sync(SyncMode)
    case rollback

    package init?(rawValue: String) {
        if rawValue == "rollback" {
            self = .rollback
        } else if let mode = SyncMode(rawValue: rawValue) {
            self = .sync(mode)
        } else {
            return nil
        }
    }

    package var rawValue: String {
        switch self {
        case let .sync(mode): mode.rawValue
        case .rollback: "rollback"
        }
    }

    package var description: String { rawValue }

    /// The sync mode, nil for a rollback.
    package var syncMode: SyncMode? {
        if case let .sync(mode) = self { return mode }
        return nil
    }

    package init(from decoder: any Decoder) throws {
        self = try StoredChoice.decode(decoder, Self.init(rawValue:))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A conflict waits for a decision (`open`) or has one (`resolved`).
package enum ConflictStatus: String, Codable, Sendable, CaseIterable {
    case open, resolved
}

/// The side whose row a resolved conflict kept, or `custom` for a value someone wrote.
package enum ConflictWinner: String, Codable, Sendable, CaseIterable {
    case cloud, local, custom

    /// The side a strategy chose.
    package init(_ side: SyncSide) {
        switch side {
        case .cloud: self = .cloud
        case .local: self = .local
        }
    }
}

/// The outcome of a remote database's last connection test.
package enum ConnectionTestStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    case untested
    case ok
    /// The test failed with this connector error.
    case failed(ConnectorError.Code)

    /// Whether the last test (or job) could not reach the remote.
    package var isFailed: Bool {
        if case .failed = self { true } else { false }
    }

    package init?(rawValue: String) {
        switch rawValue {
        case "untested": self = .untested
        case "ok": self = .ok
        default:
            guard let code = ConnectorError.Code(rawValue: rawValue) else { return nil }
            self = .failed(code)
        }
    }

    package var rawValue: String {
        switch self {
        case .untested: "untested"
        case .ok: "ok"
        case let .failed(code): code.rawValue
        }
    }

    package var description: String { rawValue }

    package init(from decoder: any Decoder) throws {
        self = try StoredChoice.decode(decoder, Self.init(rawValue:))
    }

    package func encode(to encoder: any Encoder) throws {
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
