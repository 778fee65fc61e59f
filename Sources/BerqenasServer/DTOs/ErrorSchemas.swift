import OpenAPIKit

/// Schemas shared by every operation.
enum ErrorSchemas {
    static let error: JSONSchema = .object(properties: [
        "error": .object(properties: [
            "code": .string,
            "message": .string,
            "details": .object(additionalProperties: .init(.string)),
        ])
    ])
}
