import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// PostgreSQL through PostgresNIO, with a bounded pool of its own connections (COPY needs a connection),
/// each on a socket of `PostgresSocket`'s (time limits on connecting and on every answer, keepalive).
package final class PostgresConnector: DatabaseConnector {
    package let engine = DatabaseEngine.postgresql
    let spec: ConnectionSpec
    let logger: Logger
    let pool: ConnectionPool<PostgresLink>
    /// Capture log rows this connector pruned since it last vacuumed the log.
    let logChurn = LogChurn()

    /// Creates a connector; nothing connects until first use.
    package init(spec: ConnectionSpec, logger: Logger = Logger(label: "berqenas.connector.postgresql")) throws {
        self.spec = spec
        self.logger = logger
        let configuration = try Self.configuration(spec)
        self.pool = ConnectionPool(
            maxConnections: spec.maxConnections,
            loops: Array(MultiThreadedEventLoopGroup.singleton.makeIterator()),
            open: { try await PostgresSocket.connect(configuration, spec: spec, logger: logger, on: $0) },
            close: { try? await $0.connection.close() },
            isUsable: { !$0.connection.isClosed },
            eventLoop: { $0.connection.eventLoop }
        )
    }

    package func close() async {
        await pool.shutdown()
    }

    static func configuration(_ spec: ConnectionSpec) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch spec.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            let context = try NIOSSLContext(configuration: config)
            tls = spec.tls == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: spec.host, port: spec.port, username: spec.username,
            password: spec.password.isEmpty ? nil : spec.password, database: spec.database, tls: tls
        )
        configuration.options.connectTimeout = .milliseconds(Int64(spec.connectTimeout * 1000))
        configuration.options.tlsServerName = spec.tlsServerName
        configuration.options.additionalStartupParameters =
            PostgresValueCodec.sessionParameters
            + [("statement_timeout", String(Int(spec.statementTimeout * 1000))), ("application_name", "berqenas")]
            + (spec.readOnlyByDefault ? [("default_transaction_read_only", "on")] : [])
        return configuration
    }

    /// Runs `body` on a pooled connection, mapping PostgreSQL failures to `ConnectorError` (a connection
    /// closed because its server did not answer in time fails with `timeout`).
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var expiry: AnswerDeadlineExpiry?
        do {
            return try await pool.withConnection { link in
                expiry = link.expiry
                return try await body(link.connection)
            }
        } catch let refusal as WriteRefusal {
            throw refusal
        } catch {
            if expiry?.hasExpired == true { throw PostgresSocket.noAnswer(spec) }
            throw error as? ConnectorError ?? PostgresErrorMapping.queryError(error)
        }
    }

    /// Runs `body` inside BEGIN … COMMIT on one connection, rolling back on failure: `READ WRITE` where statements
    /// are read-only by default (a plain `BEGIN` elsewhere: a hot standby refuses `READ WRITE` even for reads).
    func withTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            let begin = spec.readOnlyByDefault ? "BEGIN READ WRITE" : "BEGIN"
            try await connection.query(PostgresQuery(unsafeSQL: begin), logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Every row of `sql` as optional texts (select text columns only).
    func textRows(_ sql: String, _ binds: [String?] = [], on connection: PostgresConnection) async throws -> [[String?]] {
        var result: [[String?]] = []
        let rows = try await connection.query(Self.query(sql, binds), logger: logger)
        for try await row in rows {
            var cells: [String?] = []
            cells.reserveCapacity(row.count)
            for cell in row { cells.append(try cell.decode(String?.self)) }
            result.append(cells)
        }
        return result
    }

    /// The first cell of the first row, or nil.
    func scalar(_ sql: String, _ binds: [String?] = [], on connection: PostgresConnection) async throws -> String? {
        try await textRows(sql, binds, on: connection).first?.first ?? nil
    }

    /// Runs a statement with text bindings, to its end (a query's result arrives before the statement
    /// has finished: its rows, and any error after its row description, come as they are read).
    func execute(_ sql: String, _ binds: [String?] = [], on connection: PostgresConnection) async throws {
        try await connection.runToEnd(Self.query(sql, binds), logger: logger)
    }

    static func query(_ sql: String, _ binds: [String?]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            if let bind { bindings.append(bind) } else { bindings.appendNull() }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    package func test() async throws -> ConnectionTestResult {
        try await withConnection { connection in
            let clock = ContinuousClock()
            var version = ""
            let elapsed = try await clock.measure {
                version = try await scalar("SELECT current_setting('server_version')", on: connection) ?? ""
            }
            let facts =
                try await textRows(
                    """
                    SELECT has_database_privilege(current_database(), 'CREATE')::text,
                           current_setting('wal_level'),
                           (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)::text,
                           coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)::text
                    """, on: connection
                ).first ?? []
            let canCreate = facts.first == "true"
            return ConnectionTestResult(
                serverVersion: version,
                latencyMilliseconds: elapsed / .milliseconds(1),
                encrypted: facts.count > 3 && facts[3] == "true",
                capabilities: .init(
                    canCreateTriggers: canCreate, changeTrackingEnabled: nil,
                    logicalReplication: facts.count > 2 && facts[1] == "logical" && facts[2] == "true"
                )
            )
        }
    }

    package func createTable(_ table: TableSchema) async throws {
        try await withConnection { connection in
            let postGIS = try await scalar("SELECT count(*)::text FROM pg_type WHERE typname = 'geometry'", on: connection) == "1"
            let dialect = PostgresDialect(postGIS: postGIS)
            try await execute(dialect.ensureSchemaSQL(table.table.schema), on: connection)
            try await execute(dialect.createTableSQL(table), on: connection)
        }
    }
}

extension PostgresConnection {
    /// Runs `query` and reads its rows away, so it has finished (or failed) when this returns.
    func runToEnd(_ query: PostgresQuery, logger: Logger) async throws {
        let rows = try await self.query(query, logger: logger)
        for try await _ in rows {}
    }
}

/// Counts pruned capture log rows between vacuums.
final class LogChurn: Sendable {
    private let pruned = Mutex(0)

    /// Adds `count`; true (and the count starts over) once `vacuumAfter` rows have gone.
    func addPruned(_ count: Int, vacuumAfter: Int) -> Bool {
        pruned.withLock { pruned in
            pruned += count
            guard pruned >= vacuumAfter else { return false }
            pruned = 0
            return true
        }
    }
}
