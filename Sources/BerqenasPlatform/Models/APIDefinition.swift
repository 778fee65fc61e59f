import FluentKit
import Foundation

/// A generated REST API: a source (the tenant's cloud store or one of its remote databases), the tables it
/// serves and how callers prove who they are. The tables' columns are introspected and kept here, so a
/// request never asks the source what a name means.
public final class APIDefinition: Model, @unchecked Sendable {
    public static let schema = "api_definitions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    /// Unique within the tenant; part of the URL (`/rest/v1/{tenant}/{name}/…`).
    @Field(key: "name") public var name: String
    /// `tenant_store` or `remote_database`.
    @Field(key: "source_kind") public var sourceKind: String
    @OptionalField(key: "remote_database_id") public var remoteDatabaseID: UUID?
    /// What was asked for, as JSON: `["*"]` or `[{"name", "operations"}]`.
    @Field(key: "tables_spec") public var tablesSpec: String
    /// `api_key`, `jwt` or `public_read`.
    @Field(key: "auth") public var auth: String
    @OptionalField(key: "max_rows") public var maxRows: Int?
    /// Whether PATCH and DELETE without a filter may change every row (refused otherwise).
    @Field(key: "allow_unfiltered_writes") public var allowUnfilteredWrites: Bool
    /// The served tables as introspected (JSON of `[ServedTable]`).
    @Field(key: "snapshot") public var snapshot: String
    @Field(key: "refreshed_at") public var refreshedAt: Date
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}
