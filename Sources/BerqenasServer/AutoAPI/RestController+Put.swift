import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Foundation
import Vapor

/// PUT: PostgREST's single-row upsert, the row named by its whole primary key in the URL.
extension RestController {
    /// PUT `?key=eq.v` with one object whose key holds the same values: inserted, or the row's columns the body
    /// names set (an upsert on the primary key, in one statement). Needs both insert and update.
    @Sendable
    func put(_ request: Request) async throws -> Response {
        await answer(request) {
            let (api, table) = try await served(request, for: .insert)
            guard table.operations.contains(.update) else {
                throw AutoAPIError(
                    status: 405, code: "PGRST117", message: "PUT may update a row, which this API does not allow on '\(table.schema.table.name)'")
            }
            try await ensureRoom(request, api)
            try await collectBody(request)
            let items = RestQueryString.items(request.url.query)
            let parsed = try RequestParser.read(items)
            if parsed.limit != nil || parsed.offset != nil {
                throw AutoAPIError(status: 400, code: "PGRST114", message: "limit/offset querystring parameters are not allowed for PUT")
            }
            let key = try Self.putKey(parsed.filters, primaryKey: table.schema.primaryKey)
            let object = try Self.putObject(try body(request), key: key)
            let wanted = try preferences(request)
            var options = try RequestParser.insertOptions(items, preferences: wanted)
            // The row is the one the key names: columns= could leave the key out and write another row.
            if options.columns != nil || options.onConflict != nil {
                throw AutoAPIError.unsupported("PUT takes neither columns= nor on_conflict=: it writes the row its key names, as sent")
            }
            options.resolution = .mergeDuplicates
            options.onConflict = table.schema.primaryKey
            let plan = try compiler(api, table).insert([object], options: options, returning: try returning(items, wanted, table, api))
            return try await respond(request, api: api, table: table, plan: plan, preferences: wanted, created: false)
        }
    }

    /// The primary key's values the filters name: every key column once with `eq`, and nothing else (PGRST105).
    static func putKey(_ filters: [FilterNode], primaryKey: [String]) throws -> [String: String] {
        var values: [String: String] = [:]
        for filter in filters {
            guard case let .condition(condition) = filter, condition.path == nil, !condition.negated,
                case let .compare(.eq, value) = condition.operation, primaryKey.contains(condition.column), values[condition.column] == nil
            else { throw putFilters }
            values[condition.column] = value
        }
        guard !primaryKey.isEmpty, values.count == primaryKey.count else { throw putFilters }
        return values
    }

    static let putFilters = AutoAPIError(
        status: 405, code: "PGRST105", message: "Filters must include all and only primary key columns with 'eq' operators")

    /// The body's one object, whose key columns hold the values the URL names (PGRST115 otherwise).
    static func putObject(_ body: JSONValue, key: [String: String]) throws -> JSONValue {
        let object: JSONValue
        switch body {
        case .object: object = body
        case let .array(items) where items.count == 1: object = items[0]
        default: throw AutoAPIError(status: 400, code: "PGRST102", message: "PUT takes one object", details: "the body is not one JSON object")
        }
        guard case let .object(members) = object else {
            throw AutoAPIError(status: 400, code: "PGRST102", message: "PUT takes one object", details: "the body is not one JSON object")
        }
        for (column, value) in key.sorted(by: { $0.key < $1.key }) {
            let sent: String? =
                switch members.last(where: { $0.key == column })?.value {
                case let .string(text)?, let .number(text)?: text
                case let .bool(flag)?: String(flag)
                default: nil
                }
            guard sent == value else {
                throw AutoAPIError(
                    status: 400, code: "PGRST115", message: "Payload values do not match URL in primary key column(s)",
                    details: "'\(column)' is \(value) in the URL")
            }
        }
        return object
    }
}
