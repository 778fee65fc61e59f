import OpenAPIKit
import Vapor

/// Builds the OpenAPI 3.1 document of the management API from the documented routes themselves,
/// so a route cannot exist without being described.
enum OpenAPIDocumentBuilder {
    static func document(for routes: [Route], version: String) -> OpenAPI.Document {
        var paths: OpenAPI.PathItem.Map = [:]
        for route in routes {
            guard let operation = route.operation else { continue }
            let path = OpenAPI.Path(rawValue: openAPIPath(route.path))
            var item = paths[path]?.pathItemValue ?? OpenAPI.PathItem()
            item.set(operation: makeOperation(operation, route: route), for: httpMethod(route.method))
            paths[path] = .init(item)
        }
        return OpenAPI.Document(
            openAPIVersion: .v3_1_1,
            info: .init(
                title: "Berqenas management API",
                // Named from the routes' own tags, so the summary grows with them.
                description: "The management API of a Berqenas hub: "
                    + Set(routes.compactMap { $0.operation?.tag }).sorted().joined(separator: ", ") + ".",
                version: version
            ),
            servers: [],
            paths: paths,
            components: OpenAPI.Components(
                schemas: ["Error": ErrorSchemas.error],
                securitySchemes: ["bearer": .b(.http(scheme: "bearer", bearerFormat: "JWT"))]
            ),
            security: [],
            tags: nil
        )
    }

    /// `/api/v1/tenants/:name` -> `/api/v1/tenants/{name}`.
    static func openAPIPath(_ components: [PathComponent]) -> String {
        "/"
            + components.map { component -> String in
                switch component {
                case let .constant(value): value
                case let .parameter(name): "{\(name)}"
                case .anything: "*"
                case .catchall: "**"
                }
            }.joined(separator: "/")
    }

    private static func makeOperation(_ operation: Operation, route: Route) -> OpenAPI.Operation {
        var parameters: OpenAPI.Parameter.Array = []
        for component in route.path {
            if case let .parameter(name) = component { parameters.append(.b(.path(name: name, schema: .string))) }
        }
        for query in operation.query {
            parameters.append(.b(.query(name: query.name, schema: query.schema, description: query.description)))
        }
        var responses: OpenAPI.Response.Map = [:]
        var content: OpenAPI.Content.Map =
            operation.responseBody.map { [operation.responseIsPlainText ? .txt : .json: .b(OpenAPI.Content(schema: $0))] } ?? [:]
        if operation.alsoAnswersPNG { content[.png] = .b(OpenAPI.Content(schema: .string(contentMediaType: .png))) }
        let success = OpenAPI.Response(description: "success", content: content)
        responses[.status(code: operation.successStatus)] = .b(success)
        if let empty = operation.alternativeEmptySuccess {
            responses[.status(code: empty)] = .b(OpenAPI.Response(description: "success, no content"))
        }
        var failures = operation.failureStatuses
        if operation.access == .signedIn { failures += [401, 403] }
        if operation.requestBody != nil { failures += [413, 415, 422] }
        // Any request may carry a query string that cannot be decoded.
        failures.append(400)
        for status in Set(failures).sorted() {
            responses[.status(code: status)] = .b(
                OpenAPI.Response(
                    description: HTTPResponseStatus(statusCode: status).reasonPhrase,
                    content: [.json: .b(OpenAPI.Content(schema: JSONSchema.reference(.component(named: "Error"))))]
                ))
        }
        return OpenAPI.Operation(
            tags: [operation.tag],
            summary: operation.summary,
            operationId: operation.id,
            parameters: parameters,
            requestBody: operation.requestBody.map { schema in
                OpenAPI.Request(content: [.json: .b(OpenAPI.Content(schema: schema))], required: true)
            },
            responses: responses,
            security: operation.access == .signedIn ? [[.component(named: "bearer"): []]] : []
        )
    }

    private static func httpMethod(_ method: HTTPMethod) -> OpenAPI.HttpMethod {
        switch method {
        case .GET: .get
        case .POST: .post
        case .PUT: .put
        case .PATCH: .patch
        case .DELETE: .delete
        case .HEAD: .head
        case .OPTIONS: .options
        default: .get
        }
    }
}
