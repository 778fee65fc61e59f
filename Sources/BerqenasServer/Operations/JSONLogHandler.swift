import Foundation
import Logging
import Synchronization

/// `BERQENAS_LOG_FORMAT=json`: one JSON object per line on standard error, with the time, level, logger label,
/// message and the entry's metadata (`request-id` on a request's lines, `tenant` and `job_id` where the code
/// knows them), for log shippers that read JSON.
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    let label: String
    private static let output = Mutex<FileHandle>(.standardError)

    package init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var entry: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { entry[key] = value.description }
        entry["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        entry["level"] = event.level.rawValue
        entry["logger"] = label
        entry["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        // A closed or full standard error loses the line; it never stops the hub.
        Self.output.withLock { try? $0.write(contentsOf: line) }
    }

    /// The handler for every logger of the process, at `LOG_LEVEL` (as Vapor reads it; `info` when unset).
    package static func bootstrap(environment: [String: String]) {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
