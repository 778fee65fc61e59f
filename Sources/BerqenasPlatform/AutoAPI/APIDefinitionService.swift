import DatabaseConnectors
import FluentKit
import Foundation

/// Generated API definitions: validation, introspection of the source, storage, and telling the registry,
/// so a change takes effect on the next request.
package struct APIDefinitionService: Sendable {
    let database: any Database
    let remotes: RemoteDatabaseService
    package let registry: APIRegistry
    let limits: TenantLimits
    let events: EventLog

    /// The APIs' keys.
    package var keys: APIKeyService { APIKeyService(database: database, registry: registry) }

    package init(database: any Database, remotes: RemoteDatabaseService, limits: TenantLimits, events: EventLog) {
        self.events = events
        self.database = database
        self.remotes = remotes
        self.limits = limits
        self.registry = APIRegistry(database: database, remotes: remotes)
    }

    package func create(_ request: APIDefinitionRequest, tenant: Tenant) async throws -> APIDefinition {
        try await limits.admitAnother(.apis, tenantID: try tenant.requireID(), on: database)
        let definition = APIDefinition()
        definition.tenantID = try tenant.requireID()
        definition.name = try APIDefinitionRequest.validName(request.name)
        guard let source = request.source else {
            throw PlatformError.validation(field: "source", "{\"kind\": \"tenant_store\"} or {\"kind\": \"remote_database\", \"id\"}")
        }
        try await setSource(source, of: definition, tenant: tenant)
        definition.tablesSpec = try Self.encode(try APIDefinitionRequest.validTables(request.tables))
        definition.auth = try APIDefinitionRequest.validAuth(request.auth)
        definition.maxRows = try APIDefinitionRequest.validMaxRows(request.maxRows)
        definition.allowUnfilteredWrites = request.allowUnfilteredWrites ?? false
        definition.aggregates = request.aggregates ?? false
        definition.functionsSpec = try Self.encode(try APIDefinitionRequest.validFunctions(request.functions))
        try await introspect(definition, tenant: tenant)
        do {
            try await definition.create(on: database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw PlatformError.conflict("api_exists", "tenant '\(tenant.name)' already has an API named '\(definition.name)'")
        }
        await registry.forget(tenant: tenant.name, api: definition.name)
        await changed(definition, "created", tenant: tenant)
        return definition
    }

    package func list(tenant: Tenant) async throws -> [APIDefinition] {
        try await APIDefinition.query(on: database).filter(\.$tenantID == tenant.requireID()).sort(\.$name).all()
    }

    package func find(_ name: String, tenant: Tenant) async throws -> APIDefinition {
        guard
            let found = try await APIDefinition.query(on: database).filter(\.$tenantID == tenant.requireID())
                .filter(\.$name == name).first()
        else {
            throw PlatformError.notFound("API", name)
        }
        return found
    }

    /// Changes tables, auth, max_rows or source (introspecting again); the name stays.
    package func update(_ definition: APIDefinition, with request: APIDefinitionRequest, tenant: Tenant) async throws -> APIDefinition {
        if let name = request.name, name != definition.name {
            throw PlatformError.validation(field: "name", "an API keeps its name (it is in its URL); create another one instead")
        }
        if let source = request.source { try await setSource(source, of: definition, tenant: tenant) }
        if request.tables != nil { definition.tablesSpec = try Self.encode(try APIDefinitionRequest.validTables(request.tables)) }
        if request.auth != nil { definition.auth = try APIDefinitionRequest.validAuth(request.auth) }
        if request.maxRows != nil { definition.maxRows = try APIDefinitionRequest.validMaxRows(request.maxRows) }
        if let allow = request.allowUnfilteredWrites { definition.allowUnfilteredWrites = allow }
        if let aggregates = request.aggregates { definition.aggregates = aggregates }
        if request.functions != nil { definition.functionsSpec = try Self.encode(try APIDefinitionRequest.validFunctions(request.functions)) }
        try await introspect(definition, tenant: tenant)
        try await definition.save(on: database)
        await registry.forget(tenant: tenant.name, api: definition.name)
        await changed(definition, "updated", tenant: tenant)
        return definition
    }

    /// Reads the source's tables and columns again.
    package func refresh(_ definition: APIDefinition, tenant: Tenant) async throws -> APIDefinition {
        try await introspect(definition, tenant: tenant)
        try await definition.save(on: database)
        await registry.forget(tenant: tenant.name, api: definition.name)
        await changed(definition, "refreshed", tenant: tenant)
        return definition
    }

    package func delete(_ definition: APIDefinition, tenant: Tenant) async throws {
        try await definition.delete(on: database)
        await registry.forget(tenant: tenant.name, api: definition.name)
        await changed(definition, "deleted", tenant: tenant)
    }

    private func changed(_ definition: APIDefinition, _ action: String, tenant: Tenant) async {
        await events.announce(
            .apiChanged, tenant: tenant, subject: "api:\(definition.name)", message: "API '\(definition.name)' was \(action)",
            data: [("api", .string(definition.name)), ("action", .string(action))])
    }

    /// After a sync wrote `tables` into the tenant's store: the store's APIs that would serve one of them
    /// (all tables, or that one by name) but do not yet are introspected again, so the next request sees
    /// it. Returns what could not be refreshed (for the log).
    package func cloudTablesSynced(_ tables: [TableRef], tenant: Tenant) async -> [String] {
        var failures: [String] = []
        do {
            let apis = try await APIDefinition.query(on: database).filter(\.$tenantID == tenant.requireID())
                .filter(\.$sourceKind == .tenantStore).all()
            for definition in apis {
                let grants = (try? JSONDecoder().decode([TableGrant].self, from: Data(definition.tablesSpec.utf8))) ?? []
                let served = Set(((try? Self.servedTables(definition)) ?? []).map(\.schema.table))
                let stale = tables.contains { table in
                    !served.contains(table) && grants.contains { $0.name == "*" || $0.name == table.name }
                }
                guard stale else { continue }
                do { _ = try await refresh(definition, tenant: tenant) } catch {
                    failures.append("API \(definition.name): \(error)")
                }
            }
        } catch {
            failures.append(String(describing: error))
        }
        return failures
    }

    /// The served tables of a definition, as last introspected.
    package static func servedTables(_ definition: APIDefinition) throws -> [ServedTable] {
        try JSONDecoder().decode([ServedTable].self, from: Data(definition.snapshot.utf8))
    }

    private func setSource(_ source: APISource, of definition: APIDefinition, tenant: Tenant) async throws {
        switch source {
        case .tenantStore:
            definition.sourceKind = .tenantStore
            definition.remoteDatabaseID = nil
        case let .remoteDatabase(id):
            do { _ = try await remotes.find(id, tenant: tenant) } catch {
                throw PlatformError.validation(field: "source", "no remote database \(id.uuidString) in this tenant")
            }
            definition.sourceKind = .remoteDatabase
            definition.remoteDatabaseID = id
        }
    }

    /// Describes the wanted tables through the source's own login and keeps them in the definition.
    private func introspect(_ definition: APIDefinition, tenant: Tenant) async throws {
        let grants = try JSONDecoder().decode([TableGrant].self, from: Data(definition.tablesSpec.utf8))
        let (connector, schema) = try await registry.sourceConnector(definition, tenant: tenant)
        let wanted = try JSONDecoder().decode([String].self, from: Data(definition.functionsSpec.utf8))
        let (served, functions) = try await closing(connector) {
            (try await Self.describe(grants, of: connector, schema: schema), try await Self.functions(wanted, of: connector, schema: schema))
        }
        definition.snapshot = try Self.encode(served)
        definition.functionsSnapshot = try Self.encode(functions)
        definition.refreshedAt = Date()
    }

    /// The tables `grants` name, described through `connector`.
    private static func describe(_ grants: [TableGrant], of connector: any DatabaseConnector, schema: String) async throws -> [ServedTable] {
        let present: [TableRef]
        do { present = try await connector.listTables(schema: schema) } catch let error as ConnectorError {
            throw PlatformError(code: "source_unavailable", status: 502, message: "the source could not be read: \(error.message)")
        }
        var served: [ServedTable] = []
        for grant in grants {
            if grant.name == "*" {
                for table in present where !served.contains(where: { $0.schema.table == table }) {
                    served.append(ServedTable(schema: try await connector.describeTable(table), operations: grant.operations))
                }
                continue
            }
            guard let table = present.first(where: { $0.name == grant.name }) else {
                throw PlatformError.validation(field: "tables", "the source has no table or view '\(grant.name)' in schema '\(schema)'")
            }
            served.removeAll { $0.schema.table == table }
            served.append(ServedTable(schema: try await connector.describeTable(table), operations: grant.operations))
        }
        return served
    }

    /// The functions `wanted` names (`*`: all), described through `connector` (every overload of a name).
    private static func functions(_ wanted: [String], of connector: any DatabaseConnector, schema: String) async throws -> [FunctionSchema] {
        guard !wanted.isEmpty else { return [] }
        guard connector.engine != .sqlite else {
            throw PlatformError.validation(
                field: "functions", "functions are served over PostgreSQL sources and procedures over SQL Server sources (SQLite has none)")
        }
        let present: [FunctionSchema]
        do { present = try await connector.describeFunctions(schema: schema) } catch let error as ConnectorError {
            throw PlatformError(code: "source_unavailable", status: 502, message: "the source could not be read: \(error.message)")
        }
        if wanted.contains("*") { return present }
        for name in wanted where !present.contains(where: { $0.name == name }) {
            let reason = (try? await connector.unservedFunctions(schema: schema))?[name].map { ": \($0)" } ?? ""
            throw PlatformError.validation(
                field: "functions", "the source has no function '\(name)' in schema '\(schema)' that an API can call\(reason)")
        }
        return present.filter { wanted.contains($0.name) }
    }

    /// The served functions of a definition, as last introspected.
    package static func servedFunctions(_ definition: APIDefinition) throws -> [FunctionSchema] {
        try JSONDecoder().decode([FunctionSchema].self, from: Data(definition.functionsSnapshot.utf8))
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
