import BerqenasAutoAPI
import DatabaseConnectors
import FluentKit
import Foundation
import Synchronization

/// The mounted APIs: per tenant and API name, the definition's served tables and a pooled connector to its
/// source, made on first use. A changed or deleted definition is forgotten at once, so the next request
/// mounts it afresh; the replaced connector is closed a while later, after requests still using it finish.
package actor APIRegistry {
    /// One API ready to serve.
    package struct Mounted: Sendable {
        package let definition: APIDefinition
        package let tenant: Tenant
        /// By table name.
        package let tables: [String: ServedTable]
        package let connector: any DatabaseConnector
        package let flavor: SQLFlavor
        /// The API's keys by prefix.
        package let keys: [String: APIKey]
        /// Each table's query compiler, made once.
        package let compilers: [String: QueryCompiler]
        /// The compilers of the tables the API lets callers read: the only ones a request may embed.
        package let readableCompilers: [String: QueryCompiler]
        /// The functions served at `/rpc/{name}`, by name (each name's overloads).
        package let functions: [String: [FunctionSchema]]
        /// The most rows one read returns (embedded levels each hold at most `EmbeddingReader.embeddedFactor` times it).
        package var maxRows: Int { definition.maxRows ?? APIDefinitionRequest.defaultMaxRows }

        init(
            definition: APIDefinition, tenant: Tenant, tables: [String: ServedTable], connector: any DatabaseConnector,
            flavor: SQLFlavor, keys: [String: APIKey], functions: [FunctionSchema] = []
        ) {
            self.definition = definition
            self.tenant = tenant
            self.tables = tables
            self.connector = connector
            self.flavor = flavor
            self.keys = keys
            compilers = tables.mapValues { QueryCompiler(flavor: flavor, table: $0.schema) }
            readableCompilers = compilers.filter { tables[$0.key]?.operations.contains(.read) == true }
            self.functions = Dictionary(grouping: functions, by: \.name)
        }
    }

    let database: any Database
    let remotes: RemoteDatabaseService
    /// Mounted APIs by `tenant/api`: read under a lock, so a request finds its API without an actor hop.
    private nonisolated let mounted = Mutex<[String: Mounted]>([:])
    /// Request budgets of rate-limited keys (kept across remounts).
    package nonisolated let limiter = RateLimiter()
    /// Bumped by every `forget`, so a mount that read the definition before a change does not keep it.
    private var generations: [String: Int] = [:]
    /// Bumped by `forget(tenant:)`, for the same reason, for every API of the tenant.
    private var tenantGenerations: [String: Int] = [:]
    /// Replaced connectors waiting to be closed.
    private var retiring: [any DatabaseConnector] = []
    /// How long a replaced connector stays open for requests already using it.
    static let retireAfter: Duration = .seconds(30)
    /// Connections one mounted API may hold to its source (requests beyond wait their turn).
    static let poolSize = 16

    init(database: any Database, remotes: RemoteDatabaseService) {
        self.database = database
        self.remotes = remotes
    }

    /// The API `api` of tenant `tenantName`, mounting it if needed; 404 when there is none.
    package nonisolated func mount(tenant tenantName: String, api: String) async throws -> Mounted {
        if let ready = mountedNow(tenant: tenantName, api: api) { return ready }
        return try await mountStored(tenant: tenantName, api: api)
    }

    /// The API when it is mounted already (nil: `mount` it).
    package nonisolated func mountedNow(tenant: String, api: String) -> Mounted? {
        mounted.withLock { $0[Self.key(tenant, api)] }
    }

    /// Mounts the stored definition (the first request after a start or a change).
    private func mountStored(tenant tenantName: String, api: String) async throws -> Mounted {
        let key = Self.key(tenantName, api)
        let generation = (generations[key, default: 0], tenantGenerations[tenantName, default: 0])
        // A suspended tenant's APIs still read (it is read-only); writes check the status.
        guard let tenant = try await Tenant.query(on: database).filter(\.$name == tenantName).first(),
            tenant.status == .active || tenant.status == .suspended,
            let definition = try await APIDefinition.query(on: database).filter(\.$tenantID == tenant.requireID())
                .filter(\.$name == api).first()
        else {
            throw PlatformError.notFound("API", "\(tenantName)/\(api)")
        }
        let tables = Dictionary(
            try APIDefinitionService.servedTables(definition).map { ($0.schema.table.name, $0) },
            uniquingKeysWith: { first, _ in first })
        let keys = try await APIKey.query(on: database).filter(\.$apiDefinitionID == definition.requireID()).all()
        // Made last: nothing after it can fail and leave it open.
        // Reads never write: not through a view calling a function that writes either (PostgreSQL).
        let (connector, _) = try await sourceConnector(definition, tenant: tenant, maxConnections: Self.poolSize, readOnlyByDefault: true)
        let flavor = Self.flavor(of: connector)
        let ready = Mounted(
            definition: definition, tenant: tenant, tables: tables, connector: connector, flavor: flavor,
            keys: Dictionary(keys.map { ($0.prefix, $0) }, uniquingKeysWith: { first, _ in first }),
            functions: try APIDefinitionService.servedFunctions(definition))
        if let raced = mounted.withLock({ $0[key] }) {  // another request mounted it meanwhile
            await connector.close()
            return raced
        }
        guard (generations[key, default: 0], tenantGenerations[tenantName, default: 0]) == generation else {
            // The definition changed while this request read it: serve it once, keep nothing.
            retireLater(connector)
            return ready
        }
        mounted.withLock { $0[key] = ready }
        return ready
    }

    /// Drops the mounted API (the next request mounts the stored definition again).
    package func forget(tenant: String, api: String) {
        generations[Self.key(tenant, api), default: 0] += 1
        guard let old = mounted.withLock({ $0.removeValue(forKey: Self.key(tenant, api)) }) else { return }
        retireLater(old.connector)
    }

    /// Drops every mounted API of a tenant (its status changed, or it is going away).
    package func forget(tenant: String) {
        tenantGenerations[tenant, default: 0] += 1
        let prefix = Self.key(tenant, "")
        let gone = mounted.withLock { mounted in
            let keys = mounted.keys.filter { $0.hasPrefix(prefix) }
            return keys.compactMap { mounted.removeValue(forKey: $0) }
        }
        for api in gone { retireLater(api.connector) }
    }

    /// Closes a connector once requests already using it have had time to finish.
    private func retireLater(_ connector: any DatabaseConnector) {
        retiring.append(connector)
        Task {
            try? await Task.sleep(for: Self.retireAfter)
            await self.retire(connector)
        }
    }

    /// Closes every mounted connector (at shutdown).
    package func closeAll() async {
        let all = mounted.withLock { mounted in
            defer { mounted = [:] }
            return Array(mounted.values)
        }
        for api in all { await api.connector.close() }
        let waiting = retiring
        retiring = []
        for connector in waiting { await connector.close() }
    }

    /// Closes a replaced connector (unless `closeAll` already did).
    private func retire(_ connector: any DatabaseConnector) async {
        guard let index = retiring.firstIndex(where: { $0 as AnyObject === connector as AnyObject }) else { return }
        retiring.remove(at: index)
        await connector.close()
    }

    /// A connector to the definition's source, through the source's own login (the tenant's role for its
    /// store, the registered login for a remote database), and the schema its tables are in.
    func sourceConnector(_ definition: APIDefinition, tenant: Tenant, maxConnections: Int? = nil, readOnlyByDefault: Bool = false) async throws -> (
        any DatabaseConnector, schema: String
    ) {
        if let id = definition.remoteDatabaseID {
            let remote = try await remotes.find(id, tenant: tenant)
            let schema = remote.schemaName ?? RemoteDatabaseRules.defaultSchema(remote.engine)
            return (try await remotes.connector(for: remote, maxConnections: maxConnections, readOnlyByDefault: readOnlyByDefault), schema)
        }
        return try await remotes.cloudConnector(for: tenant, maxConnections: maxConnections, readOnlyByDefault: readOnlyByDefault)
    }

    /// The SQL the connector's engine speaks.
    static func flavor(of connector: any DatabaseConnector) -> SQLFlavor {
        switch connector.engine {
        case .postgresql: .postgresql(PostgresDialect())
        case .mssql: .tsql
        case .sqlite: .sqlite
        }
    }

    static func key(_ tenant: String, _ api: String) -> String { "\(tenant)/\(api)" }
}
