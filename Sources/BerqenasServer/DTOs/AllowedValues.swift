import OpenAPIKit

extension CaseIterable where Self: RawRepresentable, Self.RawValue == String {
    /// The enum's words, as an OpenAPI schema lists the values a field takes: the schema follows the type.
    static var allowedValues: [AnyCodable] { allCases.map { AnyCodable($0.rawValue) } }
}
