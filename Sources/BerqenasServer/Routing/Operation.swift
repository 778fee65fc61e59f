import OpenAPIKit
import Vapor

/// The description of one management API operation. It is attached to its route, and from it come the
/// OpenAPI document, the audit action name and whether a token is needed.
struct Operation: Sendable {
    /// Who may call it.
    enum Access: Sendable {
        /// No token (login, refresh, health).
        case open
        /// A valid bearer access token.
        case signedIn
    }

    /// A query parameter the operation reads.
    struct QueryParameter: Sendable {
        let name: String
        let schema: JSONSchema
        let description: String
    }

    /// Stable identifier, also the audit action, e.g. `tenants.create`.
    let id: String
    let summary: String
    let tag: String
    let access: Access
    let requestBody: JSONSchema?
    let successStatus: Int
    /// Another success status without a body (a DELETE that may answer 200 or 204).
    let alternativeEmptySuccess: Int?
    let responseBody: JSONSchema?
    /// Set for a response that is text, not JSON (the body schema is then a string).
    let responseIsPlainText: Bool
    /// Set when a query parameter can ask for the response as a PNG image instead.
    let alsoAnswersPNG: Bool
    let query: [QueryParameter]
    /// Failure statuses worth listing besides the ones every signed-in operation has.
    let failureStatuses: [Int]

    init(
        id: String, summary: String, tag: String, access: Access = .signedIn, requestBody: JSONSchema? = nil,
        successStatus: Int = 200, alternativeEmptySuccess: Int? = nil, responseBody: JSONSchema? = nil,
        responseIsPlainText: Bool = false, alsoAnswersPNG: Bool = false, query: [QueryParameter] = [],
        failureStatuses: [Int] = []
    ) {
        self.id = id
        self.summary = summary
        self.tag = tag
        self.access = access
        self.requestBody = requestBody
        self.successStatus = successStatus
        self.alternativeEmptySuccess = alternativeEmptySuccess
        self.responseBody = responseBody
        self.responseIsPlainText = responseIsPlainText
        self.alsoAnswersPNG = alsoAnswersPNG
        self.query = query
        self.failureStatuses = failureStatuses
    }
}

extension Route {
    private static let operationKey = "berqenas.operation"

    /// The operation this route serves, if it is documented.
    var operation: Operation? {
        get { userInfo[Self.operationKey] as? Operation }
        set { userInfo[Self.operationKey] = newValue }
    }
}

extension RoutesBuilder {
    /// Registers a documented route; every management route goes through here.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod,
        _ path: PathComponent...,
        operation: Operation,
        use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        let route = on(method, path, body: .collect(maxSize: "1mb"), use: handler)
        route.operation = operation
        return route
    }
}
