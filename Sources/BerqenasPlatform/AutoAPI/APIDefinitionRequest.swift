import DatabaseConnectors
import Foundation

/// What a generated API may do to a table.
package enum APIOperation: String, Codable, Sendable, CaseIterable {
    case read, insert, update, delete
}

/// A table an API serves (`*`: every table of the source) and the operations allowed on it. Requests may
/// send a bare name for every operation; it is kept (and sent) as the object.
package struct TableGrant: Codable, Sendable, Equatable {
    package var name: String
    package var operations: [APIOperation]

    package init(name: String, operations: [APIOperation] = APIOperation.allCases) {
        self.name = name
        self.operations = operations
    }

    enum CodingKeys: String, CodingKey { case name, operations }

    package init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.init(name: name)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            operations: try container.decodeIfPresent([APIOperation].self, forKey: .operations) ?? APIOperation.allCases)
    }
}

/// A served table as introspected, with its operations.
package struct ServedTable: Codable, Sendable, Equatable {
    package var schema: TableSchema
    package var operations: [APIOperation]
}

/// Where an API reads from: `{"kind": "tenant_store"}` or `{"kind": "remote_database", "id": …}`.
package enum APISource: Sendable, Equatable, Codable {
    case tenantStore
    case remoteDatabase(UUID)

    enum CodingKeys: String, CodingKey { case kind, id }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = APISourceKind(rawValue: try container.decode(String.self, forKey: .kind))
        switch (kind, try container.decodeIfPresent(UUID.self, forKey: .id)) {
        case (.tenantStore?, _): self = .tenantStore
        case let (.remoteDatabase?, id?): self = .remoteDatabase(id)
        default:
            throw PlatformError.validation(field: "source", "{\"kind\": \"tenant_store\"} or {\"kind\": \"remote_database\", \"id\"}")
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .tenantStore: try container.encode(APISourceKind.tenantStore.rawValue, forKey: .kind)
        case let .remoteDatabase(id):
            try container.encode(APISourceKind.remoteDatabase.rawValue, forKey: .kind)
            try container.encode(id, forKey: .id)
        }
    }
}

/// `POST …/apis` (every field) and `PATCH …/apis/{name}` (the fields that change), as sent.
package struct APIDefinitionRequest: Sendable, Codable {
    package var name: String?
    package var source: APISource?
    package var tables: [TableGrant]?
    package var auth: String?
    /// nil: unchanged (create: no cap).
    package var maxRows: Int?
    /// nil: unchanged (create: false).
    package var allowUnfilteredWrites: Bool?
    /// nil: unchanged (create: false).
    package var aggregates: Bool?
    /// nil: unchanged (create: none). `["*"]`: every function of the source's schema.
    package var functions: [String]?

    package init(
        name: String? = nil, source: APISource? = nil, tables: [TableGrant]? = nil, auth: String? = nil, maxRows: Int? = nil,
        allowUnfilteredWrites: Bool? = nil, aggregates: Bool? = nil, functions: [String]? = nil
    ) {
        self.name = name
        self.source = source
        self.tables = tables
        self.auth = auth
        self.maxRows = maxRows
        self.allowUnfilteredWrites = allowUnfilteredWrites
        self.aggregates = aggregates
        self.functions = functions
    }

    enum CodingKeys: String, CodingKey {
        case name, source, tables, auth, maxRows = "max_rows", allowUnfilteredWrites = "allow_unfiltered_writes", aggregates, functions
    }

    static func validName(_ name: String?) throws -> String {
        guard let name, (1...63).contains(name.count), name.first?.isLetter == true,
            name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw PlatformError.validation(field: "name", "1-63 characters: lowercase letters, digits, '_' or '-', starting with a letter")
        }
        return name
    }

    static func validAuth(_ auth: String?) throws -> APIAuth {
        guard let auth, let mode = APIAuth(rawValue: auth) else {
            throw PlatformError.validation(field: "auth", "one of \(APIAuth.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return mode
    }

    /// The cap on the rows one read returns when a definition names none (older definitions without one too).
    package static let defaultMaxRows = 1000

    static func validMaxRows(_ rows: Int?) throws -> Int {
        guard let rows else { return defaultMaxRows }
        guard (1...1_000_000).contains(rows) else { throw PlatformError.validation(field: "max_rows", "between 1 and 1000000") }
        return rows
    }

    static func validFunctions(_ functions: [String]?) throws -> [String] {
        guard let functions else { return [] }
        guard functions.count <= 1000, !functions.contains(where: { $0.isEmpty || $0.count > 63 }) else {
            throw PlatformError.validation(field: "functions", "[\"*\"] or a list of function names (at most 1000)")
        }
        return functions
    }

    static func validTables(_ tables: [TableGrant]?) throws -> [TableGrant] {
        guard let tables, !tables.isEmpty, tables.count <= 1000 else {
            throw PlatformError.validation(field: "tables", "[\"*\"] or a list of {\"name\", \"operations\"} (1 to 1000)")
        }
        for table in tables where table.name.isEmpty || table.operations.isEmpty {
            throw PlatformError.validation(field: "tables", "each table needs a name and at least one operation")
        }
        return tables
    }
}
