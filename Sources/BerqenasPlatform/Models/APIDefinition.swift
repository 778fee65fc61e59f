import FluentKit
import Foundation

/// A generated REST API: a source (the tenant's cloud store or one of its remote databases), the tables it
/// serves and how callers prove who they are. The tables' columns are introspected and kept here, so a
/// request never asks the source what a name means.
package final class APIDefinition: Model, @unchecked Sendable {
    package static let schema = "api_definitions"

    @ID(key: .id) package var id: UUID?
    @Field(key: "tenant_id") package var tenantID: UUID
    /// Unique within the tenant; part of the URL (`/rest/v1/{tenant}/{name}/…`).
    @Field(key: "name") package var name: String
    @Field(key: "source_kind") package var sourceKind: APISourceKind
    @OptionalField(key: "remote_database_id") package var remoteDatabaseID: UUID?
    /// What was asked for, as JSON: `["*"]` or `[{"name", "operations"}]`.
    @Field(key: "tables_spec") package var tablesSpec: String
    @Field(key: "auth") package var auth: APIAuth
    @OptionalField(key: "max_rows") package var maxRows: Int?
    /// Whether PATCH and DELETE without a filter may change every row (refused otherwise).
    @Field(key: "allow_unfiltered_writes") package var allowUnfilteredWrites: Bool
    /// Whether `select=` may aggregate (`amount.sum()`, `count()`): off unless asked for, as in PostgREST.
    @Field(key: "aggregates") package var aggregates: Bool
    /// The functions asked for, as JSON: `[]` (none), `["*"]` or names.
    @Field(key: "functions_spec") package var functionsSpec: String
    /// The served functions as introspected (JSON of `[FunctionSchema]`).
    @Field(key: "functions_snapshot") package var functionsSnapshot: String
    /// The served tables as introspected (JSON of `[ServedTable]`).
    @Field(key: "snapshot") package var snapshot: String
    @Field(key: "refreshed_at") package var refreshedAt: Date
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    package init() {}
}

/// Where a generated API reads: the tenant's cloud store or one of its remote databases.
package enum APISourceKind: String, Codable, Sendable, CaseIterable {
    case tenantStore = "tenant_store"
    case remoteDatabase = "remote_database"
}

/// How callers of a generated API prove who they are.
package enum APIAuth: String, Codable, Sendable, CaseIterable {
    /// One of the API's keys (`apikey: …` or `Authorization: Bearer …`), or a tenant user's access token.
    case apiKey = "api_key"
    /// The access token of a user of the API's tenant (or an admin).
    case jwt
    /// Anyone reads (within the anonymous budget); writes need a key or a token.
    case publicRead = "public_read"
}
