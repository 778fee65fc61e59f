import BerqenasAutoAPI
import BerqenasPlatform
import OpenAPIKit
import Vapor

/// One page of a list.
struct Page<Item: Content>: Content {
    let items: [Item]
    let total: Int
    let limit: Int
    let offset: Int

    static func schema(of item: JSONSchema) -> JSONSchema {
        .object(properties: ["items": .array(items: item), "total": .integer, "limit": .integer, "offset": .integer])
    }
}

/// `limit` and `offset` from the query string, checked.
struct PageRequest {
    let limit: Int
    let offset: Int

    static let parameters: [Operation.QueryParameter] = [
        .init(
            name: "limit", schema: .integer(maximum: (500, exclusive: false), minimum: (1, exclusive: false)),
            description: "items per page (default 50, at most 500)"),
        .init(
            name: "offset", schema: .integer(maximum: (PagingNumber.maximum, exclusive: false), minimum: (0, exclusive: false)),
            description: "items to skip"),
    ]

    init(_ request: Request) throws {
        let limit = try Self.integer(request, "limit") ?? 50
        let offset = try Self.integer(request, "offset") ?? 0
        guard (1...500).contains(limit) else { throw PlatformError.validation(field: "limit", "must be between 1 and 500") }
        self.limit = limit
        self.offset = offset
    }

    private static func integer(_ request: Request, _ name: String) throws -> Int? {
        guard let raw = request.query[String.self, at: name] else { return nil }
        guard let value = PagingNumber.parse(raw) else { throw PlatformError.validation(field: name, "must be \(PagingNumber.expectation)") }
        return value
    }
}
