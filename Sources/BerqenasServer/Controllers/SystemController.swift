import BerqenasPlatform
import OpenAPIKit
import Vapor

/// Health and the API description.
struct SystemController {
    struct Health: Content {
        let status: String
        let version: String
        let database: String
    }

    func register(root: any RoutesBuilder, signedIn: any RoutesBuilder) {
        root.on(
            .GET, "health",
            operation: Operation(
                id: "system.health", summary: "Liveness, version and system database engine", tag: "system", access: .open,
                responseBody: .object(properties: [
                    "status": .string(allowedValues: "ok"), "version": .string,
                    "database": .string(allowedValues: "sqlite", "postgresql"),
                ])
            ), use: health)
        signedIn.on(
            .GET, "openapi.json",
            operation: Operation(
                id: "system.openapi", summary: "This OpenAPI 3.1 document", tag: "system", responseBody: .object
            ), use: openAPI)
    }

    @Sendable
    func health(_ request: Request) async throws -> Health {
        Health(
            status: "ok", version: BerqenasVersion.current,
            database: request.berqenas.platform.configuration.systemDatabaseEngine.rawValue)
    }

    @Sendable
    func openAPI(_ request: Request) async throws -> Response {
        let document = OpenAPIDocumentBuilder.document(for: request.application.routes.all, version: BerqenasVersion.current)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let response = Response(status: .ok, body: .init(data: try encoder.encode(document)))
        response.headers.contentType = .json
        return response
    }
}

/// The version this build reports.
package enum BerqenasVersion {
    package static let current = "0.1.0"
}
