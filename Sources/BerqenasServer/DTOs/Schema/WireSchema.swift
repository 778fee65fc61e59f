import Foundation
import OpenAPIKit

/// A DTO's OpenAPI schema, derived from its `Decodable` declaration so a field is declared once: its name
/// comes from the coding key, its type from the property, and whether it is required or nullable from how it
/// is decoded (and, for responses, from `@ExplicitNull`).
enum WireSchema {
    /// Which way a type travels, which decides what an optional field means.
    enum Direction {
        /// Decoded by the server: an optional field may be left out or sent as null.
        case request
        /// Encoded by the server: a plain optional is left out when it has no value; an `@ExplicitNull` one is
        /// always there, null when it has no value.
        case response
    }

    /// The schema of `type` travelling `direction`. `overriding` replaces the schemas of named top-level
    /// fields where the Swift type says less than the API (the words a string field takes, a pattern, bounds),
    /// keeping whether each is required and nullable; `requiring` names optional fields that are required
    /// here (creating, where changing leaves them out). In requests, a field named `password` or `*_password`
    /// is a password.
    static func of<T: Decodable>(
        _ type: T.Type, _ direction: Direction, overriding: [String: JSONSchema] = [:], requiring: Set<String> = []
    ) -> JSONSchema {
        let schema = SchemaRecorder(direction: direction).walkFields(of: type)
        guard case let .object(core, object) = schema.value else { return schema }
        let unknown = Set(overriding.keys).union(requiring).subtracting(object.properties.keys)
        precondition(unknown.isEmpty, "\(T.self) has no field \(unknown.sorted())")
        var properties = object.properties
        for (name, property) in properties {
            var replaced = overriding[name] ?? property
            if direction == .request, overriding[name] == nil, name == "password" || name.hasSuffix("_password") {
                replaced = .string(format: .password)
            }
            if property.nullable && !replaced.nullable { replaced = replaced.nullableSchemaObject() }
            let isRequired = property.required || requiring.contains(name)
            properties[name] = isRequired ? replaced.requiredSchemaObject() : replaced.optionalSchemaObject()
        }
        return .object(core, .init(properties: properties, additionalProperties: object.additionalProperties))
    }
}

/// A type whose schema is declared with it rather than walked (a field that takes one of two shapes, bounds
/// on numbers); where it is a field, the walk takes this schema and still decodes a value of it.
protocol WireDescribed: Decodable {
    static var wireSchema: JSONSchema { get }
}
