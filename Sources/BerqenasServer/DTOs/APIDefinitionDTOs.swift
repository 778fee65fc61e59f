import BerqenasPlatform
import DatabaseConnectors
import OpenAPIKit
import Vapor

/// `POST …/apis` and `PATCH …/apis/{name}`.
package struct APIDefinitionBody: Codable {
    package let name: String?
    package let source: Source?
    package let tables: [Grant]?
    package let auth: String?
    package let maxRows: Int?
    package let allowUnfilteredWrites: Bool?

    package init(
        name: String? = nil, source: Source? = nil, tables: [Grant]? = nil, auth: String? = nil, maxRows: Int? = nil,
        allowUnfilteredWrites: Bool? = nil
    ) {
        self.name = name
        self.source = source
        self.tables = tables
        self.auth = auth
        self.maxRows = maxRows
        self.allowUnfilteredWrites = allowUnfilteredWrites
    }

    enum CodingKeys: String, CodingKey {
        case name, source, tables, auth, maxRows = "max_rows", allowUnfilteredWrites = "allow_unfiltered_writes"
    }

    package struct Source: Codable, Sendable {
        package let kind: String
        package let id: UUID?

        package init(kind: String, id: UUID? = nil) {
            self.kind = kind
            self.id = id
        }
    }

    /// `"*"` or `{"name", "operations"}` (sent as the object).
    package struct Grant: Codable, Sendable {
        package let grant: TableGrant

        package init(_ grant: TableGrant) {
            self.grant = grant
        }

        package func encode(to encoder: any Encoder) throws {
            try grant.encode(to: encoder)
        }

        package init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                grant = TableGrant(name: name)
                return
            }
            struct Object: Decodable {
                let name: String
                let operations: [APIOperation]?
            }
            let object = try Object(from: decoder)
            grant = TableGrant(name: object.name, operations: object.operations ?? APIOperation.allCases)
        }
    }

    func request() throws -> APIDefinitionRequest {
        var source: APISource?
        if let given = self.source {
            switch (given.kind, given.id) {
            case ("tenant_store", _): source = .tenantStore
            case let ("remote_database", id?): source = .remoteDatabase(id)
            default:
                throw PlatformError.validation(field: "source", "{\"kind\": \"tenant_store\"} or {\"kind\": \"remote_database\", \"id\"}")
            }
        }
        return APIDefinitionRequest(
            name: name, source: source, tables: tables?.map(\.grant), auth: auth, maxRows: maxRows,
            allowUnfilteredWrites: allowUnfilteredWrites)
    }

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
    let url: String
    let tables: [Table]
    let refreshedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, source, auth, maxRows = "max_rows", allowUnfilteredWrites = "allow_unfiltered_writes", url, tables, refreshedAt =
            "refreshed_at"
    }

    init(_ definition: APIDefinition, tenant: Tenant) throws {
        id = try definition.requireID()
        name = definition.name
        source = ["kind": definition.sourceKind.rawValue].merging(definition.remoteDatabaseID.map { ["id": $0.uuidString] } ?? [:]) { $1 }
        auth = definition.auth
        maxRows = definition.maxRows
        allowUnfilteredWrites = definition.allowUnfilteredWrites
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

extension APIDefinitionBody.Grant: WireDescribed {
    /// A table name (or `"*"`), or an object naming the table and its operations.
    static var wireSchema: JSONSchema {
        .one(of: [.string, .object(properties: ["name": .string, "operations": .array(required: false, items: APIOperation.wireSchema)])])
    }
}
