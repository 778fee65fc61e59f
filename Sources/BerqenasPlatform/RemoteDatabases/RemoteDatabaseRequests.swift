import BerqenasSync
import DatabaseConnectors
import Foundation

/// What registering a remote database takes (validated by `RemoteDatabaseService`): the body of
/// `POST …/remote-databases`, as the CLI sends it.
package struct RemoteDatabaseRegistration: Sendable, Codable {
    package var name: String
    package var engine: String
    package var host: String?
    package var port: Int?
    package var database: String
    package var schema: String?
    package var username: String?
    package var password: String?
    package var tls: String?
    package var wireguardPeerID: UUID?
    package var captureMode: String?
    package var targetPrefix: String?
    /// Compare capture mode: the column that rises whenever a row changes.
    package var watermarkColumn: String?

    /// Creates a registration.
    package init(
        name: String, engine: String, host: String? = nil, port: Int? = nil, database: String, schema: String? = nil,
        username: String? = nil, password: String? = nil, tls: String? = nil, wireguardPeerID: UUID? = nil, captureMode: String? = nil,
        targetPrefix: String? = nil, watermarkColumn: String? = nil
    ) {
        self.watermarkColumn = watermarkColumn
        self.name = name
        self.engine = engine
        self.host = host
        self.port = port
        self.database = database
        self.schema = schema
        self.username = username
        self.password = password
        self.tls = tls
        self.wireguardPeerID = wireguardPeerID
        self.captureMode = captureMode
        self.targetPrefix = targetPrefix
    }

    enum CodingKeys: String, CodingKey {
        case name, engine, host, port, database, schema, username, password, tls
        case wireguardPeerID = "wireguard_peer_id", captureMode = "capture_mode", targetPrefix = "target_prefix"
        case watermarkColumn = "watermark_column"
    }
}

/// A change to a registered remote database; nil fields stay as they are: the body of
/// `PATCH …/remote-databases/{id}`.
package struct RemoteDatabaseUpdate: Sendable, Decodable {
    package var host: String?
    package var port: Int?
    package var database: String?
    package var schema: String?
    package var username: String?
    package var password: String?
    package var tls: String?
    package var captureMode: String?
    /// Nil: unchanged; empty: none.
    package var watermarkColumn: String?
    package var continuous: Bool?
    package var continuousMode: String?
    package var continuousStrategy: String?
    package var pollIntervalMilliseconds: Int?
    /// Nil: unchanged; `.through(peer)`: reach it at that VPN peer's tunnel address; `.direct`: at `host` again.
    package var route: Route?

    /// How the hub reaches the database.
    package enum Route: Sendable, Equatable {
        case through(peer: UUID)
        case direct
    }

    /// Creates an update.
    package init(
        host: String? = nil, port: Int? = nil, database: String? = nil, schema: String? = nil,
        username: String? = nil, password: String? = nil, tls: String? = nil, captureMode: String? = nil,
        continuous: Bool? = nil, continuousMode: String? = nil, continuousStrategy: String? = nil,
        pollIntervalMilliseconds: Int? = nil, route: Route? = nil, watermarkColumn: String? = nil
    ) {
        self.route = route
        self.watermarkColumn = watermarkColumn
        self.host = host
        self.port = port
        self.database = database
        self.schema = schema
        self.username = username
        self.password = password
        self.tls = tls
        self.captureMode = captureMode
        self.continuous = continuous
        self.continuousMode = continuousMode
        self.continuousStrategy = continuousStrategy
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case host, port, database, schema, username, password, tls, continuous
        case captureMode = "capture_mode", continuousMode = "continuous_mode", continuousStrategy = "continuous_strategy"
        case pollIntervalMilliseconds = "poll_interval_ms", wireguardPeerID = "wireguard_peer_id", watermarkColumn = "watermark_column"
    }

    /// Absent fields stay as they are; `"watermark_column": null` removes the watermark; `"wireguard_peer_id"`
    /// routes through that peer, or directly at `host` again when null.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decodeIfPresent(String.self, forKey: .host)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        database = try container.decodeIfPresent(String.self, forKey: .database)
        schema = try container.decodeIfPresent(String.self, forKey: .schema)
        username = try container.decodeIfPresent(String.self, forKey: .username)
        password = try container.decodeIfPresent(String.self, forKey: .password)
        tls = try container.decodeIfPresent(String.self, forKey: .tls)
        captureMode = try container.decodeIfPresent(String.self, forKey: .captureMode)
        watermarkColumn =
            container.contains(.watermarkColumn) ? try container.decodeIfPresent(String.self, forKey: .watermarkColumn) ?? "" : nil
        continuous = try container.decodeIfPresent(Bool.self, forKey: .continuous)
        continuousMode = try container.decodeIfPresent(String.self, forKey: .continuousMode)
        continuousStrategy = try container.decodeIfPresent(String.self, forKey: .continuousStrategy)
        pollIntervalMilliseconds = try container.decodeIfPresent(Int.self, forKey: .pollIntervalMilliseconds)
        if !container.contains(.wireguardPeerID) {
            route = nil
        } else if try container.decodeNil(forKey: .wireguardPeerID) {
            route = .direct
        } else {
            route = .through(peer: try container.decode(UUID.self, forKey: .wireguardPeerID))
        }
    }

    /// Whether the server the hub connects to (and sends the password to) changes.
    var movesServer: Bool { host != nil || port != nil || tls != nil || route != nil }

    /// Whether the connection details change (then the database is tested again).
    var changesConnection: Bool {
        host != nil || port != nil || database != nil || schema != nil || username != nil || password != nil || tls != nil
            || route != nil
    }
}

/// Field rules shared by registration and updates.
enum RemoteDatabaseRules {
    static func engine(_ text: String) throws -> DatabaseEngine {
        switch text {
        case "postgresql": return .postgresql
        case "mssql": return .mssql
        case "sqlite": return .sqlite
        default: throw PlatformError.validation(field: "engine", "must be postgresql, mssql or sqlite, not '\(text)'")
        }
    }

    /// TLS modes: PostgreSQL's disable/prefer/require/verify_full, and SQL Server's off/on/strict.
    static func tls(_ text: String, engine: DatabaseEngine) throws -> ConnectionSpec.TLSMode {
        switch (text, engine) {
        case ("disable", _), ("off", .mssql): return .disable
        case ("prefer", _): return .prefer
        case ("require", _), ("on", .mssql): return .require
        case ("verify_full", _), ("verify-full", _), ("strict", .mssql): return .verifyFull
        default:
            throw PlatformError.validation(
                field: "tls",
                engine == .mssql
                    ? "must be off, on or strict (or disable, prefer, require, verify_full)"
                    : "must be disable, prefer, require or verify_full")
        }
    }

    /// A watermark column's name (nil or empty: none); only the compare capture mode uses one.
    static func watermarkColumn(_ text: String?, captureMode: CaptureMode) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard captureMode == .compare else {
            throw PlatformError.validation(field: "watermark_column", "is used by the compare capture mode only")
        }
        guard text.utf8.count <= 128, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw PlatformError.validation(field: "watermark_column", "must be a column name of at most 128 bytes")
        }
        return text
    }

    static func captureMode(_ text: String, engine: DatabaseEngine) throws -> CaptureMode {
        guard let mode = CaptureMode(rawValue: text) else {
            throw PlatformError.validation(field: "capture_mode", "must be triggers, change_tracking or compare")
        }
        if mode == .changeTracking, engine != .mssql {
            throw PlatformError.validation(field: "capture_mode", "change_tracking exists on SQL Server only")
        }
        return mode
    }

    /// Remote database names: lowercase letters, digits, `-` and `_`, 1 to 63 characters.
    static func name(_ text: String) throws {
        let allowed = text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
        guard !text.isEmpty, text.utf8.count <= 63, allowed else {
            throw PlatformError.validation(field: "name", "use 1 to 63 lowercase letters, digits, '-' or '_'")
        }
    }

    /// Cloud table prefixes: lowercase letters, digits and `_`, up to 30 characters.
    static func targetPrefix(_ text: String) throws {
        let allowed = text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        guard text.utf8.count <= 30, allowed else {
            throw PlatformError.validation(field: "target_prefix", "use up to 30 lowercase letters, digits or '_'")
        }
    }

    static func port(_ port: Int) throws {
        guard (1...65535).contains(port) else { throw PlatformError.validation(field: "port", "must be between 1 and 65535") }
    }

    static func defaultSchema(_ engine: DatabaseEngine) -> String {
        switch engine {
        case .postgresql: "public"
        case .mssql: "dbo"
        case .sqlite: "main"
        }
    }

    static func mode(_ text: String, field: String = "mode") throws -> SyncMode {
        guard let mode = SyncMode(rawValue: text) else {
            throw PlatformError.validation(field: field, "must be full, incremental, bidirectional or verify, not '\(text)'")
        }
        return mode
    }

    /// A repair belongs to a verify job, and names how rows without history are settled: `latest_wins`
    /// has no capture times to compare there.
    static func checkRepair(_ repair: Bool, mode: SyncMode, strategy: ConflictStrategy?) throws {
        guard repair else { return }
        guard mode == .verify else { throw PlatformError.validation(field: "repair", "applies to verify jobs only") }
        guard let strategy, strategy != .latestWins else {
            throw PlatformError.validation(
                field: "conflict_strategy",
                "a repair needs cloud_wins, local_wins or manual: differing rows have no capture times to compare")
        }
    }

    static func strategy(_ text: String, field: String = "conflict_strategy") throws -> ConflictStrategy {
        guard let strategy = ConflictStrategy(rawValue: text) else {
            throw PlatformError.validation(field: field, "must be latest_wins, cloud_wins, local_wins or manual, not '\(text)'")
        }
        return strategy
    }
}
