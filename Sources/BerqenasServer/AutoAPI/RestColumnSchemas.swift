import BerqenasPlatform
import DatabaseConnectors
import OpenAPIKit

/// JSON Schemas of a served table's rows, from the type map (docs/types.md): what reads return and what
/// writes take.
enum RestColumnSchemas {
    /// A row as reads return it: every served column, null where the column allows it.
    static func row(_ table: TableSchema) -> JSONSchema {
        .object(properties: properties(table.columns, required: true), additionalProperties: .a(false))
    }

    /// A row as writes take it: no key is required by the schema (the database says what is missing).
    static func writable(_ table: TableSchema) -> JSONSchema {
        .object(properties: properties(table.columns.filter { !$0.isGenerated }, required: false), additionalProperties: .a(false))
    }

    private static func properties(_ columns: [ColumnSchema], required: Bool) -> OrderedDictionary<String, JSONSchema> {
        var properties: OrderedDictionary<String, JSONSchema> = [:]
        for column in columns { properties[column.name] = value(column, required: required) }
        return properties
    }

    static func value(_ column: ColumnSchema, required: Bool) -> JSONSchema {
        schema(column.canonicalType, required: required, nullable: column.nullable, description: column.nativeType)
    }

    private static func schema(_ type: CanonicalType, required: Bool, nullable: Bool, description: String?) -> JSONSchema {
        switch type {
        case let .integer(bits):
            return .integer(format: bits > 32 ? .int64 : .int32, required: required, nullable: nullable, description: description)
        case .decimal, .money, .float:
            return .number(required: required, nullable: nullable, description: description)
        case .boolean:
            return .boolean(required: required, nullable: nullable, description: description)
        case .binary, .rowVersion:
            return .string(required: required, nullable: nullable, description: "\(description ?? "") (base64)", contentEncoding: .base64)
        case .uuid:
            return .string(format: .uuid, required: required, nullable: nullable, description: description)
        case .date:
            return .string(format: .date, required: required, nullable: nullable, description: description)
        case .timestamp(_, withZone: true):
            return .string(format: .dateTime, required: required, nullable: nullable, description: description)
        case .interval:
            return .string(
                format: .other("duration"), required: required, nullable: nullable, description: "\(description ?? "") (ISO 8601 duration)")
        // Any JSON value, null included: a nullable fragment would render as `"type": "null"` alone.
        case .json:
            return .fragment(required: required, nullable: false, description: description)
        case .geometry:
            return .fragment(required: required, nullable: false, description: "\(description ?? "") (GeoJSON; base64 over SQLite)")
        case let .enumeration(_, labels):
            return .string(required: required, nullable: nullable, description: description, allowedValues: labels.map { AnyCodable($0) })
        case let .array(element):
            return .array(
                required: required, nullable: nullable, description: description,
                items: schema(element, required: true, nullable: true, description: nil))
        default:
            return .string(required: required, nullable: nullable, description: description)
        }
    }
}
