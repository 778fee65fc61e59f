import BerqenasPlatform
import DatabaseConnectors
import OpenAPIKit
import Vapor

extension APIDefinitionRequest {
    /// Creating names every field but the optional caps; a change sends only what changes.
    static func schema(creating: Bool) -> JSONSchema {
        WireSchema.of(
            Self.self, .request,
            overriding: ["auth": .string(allowedValues: APIAuth.allowedValues)], requiring: creating ? ["name", "source", "tables", "auth"] : [])
    }
}

/// A definition as the API shows it, with the tables and columns it serves.
struct APIDefinitionResponse: Content {
    struct Column: Content {
        let name: String
        let type: String
        let nullable: Bool
    }

    struct Table: Content {
        let name: String
        let operations: [String]
        let primaryKey: [String]
        let columns: [Column]

        enum CodingKeys: String, CodingKey {
            case name, operations, primaryKey = "primary_key", columns
        }
    }

    let id: UUID
    let name: String
    let source: [String: String]
    let auth: APIAuth
    @ExplicitNull var maxRows: Int?
    let allowUnfilteredWrites: Bool
    let aggregates: Bool
    /// The functions served at `/rpc/{name}` (one entry per overload).
    let functions: [String]
    let url: String
    let tables: [Table]
    let refreshedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, source, auth, maxRows = "max_rows", allowUnfilteredWrites = "allow_unfiltered_writes", aggregates, functions, url, tables,
            refreshedAt =
            "refreshed_at"
    }

    init(_ definition: APIDefinition, tenant: Tenant) throws {
        id = try definition.requireID()
        name = definition.name
        source = ["kind": definition.sourceKind.rawValue].merging(definition.remoteDatabaseID.map { ["id": $0.uuidString] } ?? [:]) { $1 }
        auth = definition.auth
        maxRows = definition.maxRows
        allowUnfilteredWrites = definition.allowUnfilteredWrites
        aggregates = definition.aggregates
        functions = try APIDefinitionService.servedFunctions(definition).map(\.name)
        url = "/rest/v1/\(tenant.name)/\(definition.name)/"
        tables = try APIDefinitionService.servedTables(definition).map { served in
            Table(
                name: served.schema.table.name, operations: served.operations.map(\.rawValue), primaryKey: served.schema.primaryKey,
                columns: served.schema.columns.map { Column(name: $0.name, type: $0.nativeType, nullable: $0.nullable) })
        }
        refreshedAt = definition.refreshedAt
    }

    static let schema = WireSchema.of(Self.self, .response)
}

/// `GET …/apis`.
struct APIDefinitionList: Content {
    let items: [APIDefinitionResponse]

    static let schema = WireSchema.of(Self.self, .response)
}

extension TableGrant: WireLeaf {
    /// A table name (or `"*"`), or an object naming the table and its operations.
    static var wireSchema: JSONSchema {
        .one(of: [.string, .object(properties: ["name": .string, "operations": .array(required: false, items: APIOperation.wireSchema)])])
    }
    static var wirePlaceholder: TableGrant { TableGrant(name: "*") }
}

extension APISource: WireLeaf {
    static var wireSchema: JSONSchema {
        .object(properties: ["kind": APISourceKind.wireSchema, "id": .string(format: .uuid, required: false)])
    }
    static var wirePlaceholder: APISource { .tenantStore }
}
