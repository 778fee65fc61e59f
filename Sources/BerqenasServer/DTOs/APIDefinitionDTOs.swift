import BerqenasPlatform
import DatabaseConnectors
import OpenAPIKit
import Vapor

/// `POST …/apis` and `PATCH …/apis/{name}`.
struct APIDefinitionBody: Decodable {
    let name: String?
    let source: Source?
    let tables: [Grant]?
    let auth: String?
    let maxRows: Int?
    let allowUnfilteredWrites: Bool?

    enum CodingKeys: String, CodingKey {
        case name, source, tables, auth, maxRows = "max_rows", allowUnfilteredWrites = "allow_unfiltered_writes"
    }

    struct Source: Decodable {
        let kind: String
        let id: UUID?
    }

    /// `"*"` or `{"name", "operations"}`.
    struct Grant: Decodable {
        let grant: TableGrant

        init(from decoder: any Decoder) throws {
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
        .object(properties: [
            "name": .string(required: creating),
            "source": .object(
                required: creating,
                properties: [
                    "kind": .string(allowedValues: APISourceKind.allowedValues),
                    "id": .string(format: .uuid, required: false),
                ]),
            "tables": .array(
                required: creating,
                items: .one(of: [
                    .string,
                    .object(properties: [
                        "name": .string,
                        "operations": .array(required: false, items: .string(allowedValues: APIOperation.allCases.map { .init($0.rawValue) })),
                    ]),
                ])),
            "auth": .string(required: creating, allowedValues: APIAuth.allowedValues),
            "max_rows": .integer(required: false),
            "allow_unfiltered_writes": .boolean(required: false),
        ])
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

    static let schema: JSONSchema = .object(properties: [
        "id": .string(format: .uuid), "name": .string, "source": .object, "auth": .string, "max_rows": .integer(nullable: true),
        "allow_unfiltered_writes": .boolean, "url": .string, "refreshed_at": .string(format: .dateTime),
        "tables": .array(
            items: .object(properties: [
                "name": .string, "operations": .array(items: .string), "primary_key": .array(items: .string),
                "columns": .array(items: .object(properties: ["name": .string, "type": .string, "nullable": .boolean])),
            ])),
    ])
}

/// `GET …/apis`.
struct APIDefinitionList: Content {
    let items: [APIDefinitionResponse]

    static let schema: JSONSchema = .object(properties: ["items": .array(items: APIDefinitionResponse.schema)])
}
