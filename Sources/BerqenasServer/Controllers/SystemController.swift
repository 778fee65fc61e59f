import BerqenasPlatform
import FluentKit
import OpenAPIKit
import Vapor

/// Health, readiness and the API description.
struct SystemController {
    struct Health: Content {
        let status: String
        let version: String
        let database: String
    }

    struct Readiness: Content {
        let status: String
        let checks: [String: String]
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
        root.on(
            .GET, "ready",
            operation: Operation(
                id: "system.ready",
                summary:
                    "Ready: the system database answers, every migration is applied, and this server's background loops run (503 naming what is not)",
                tag: "system", access: .open,
                responseBody: .object(properties: ["status": .string(allowedValues: "ready"), "checks": .object]),
                failureStatuses: [503]
            ), use: ready)
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

    /// What a load balancer or an orchestrator asks before sending traffic (`/health` only says the process
    /// answers). Open, like `/health`: it names checks, never a secret or an error's text.
    @Sendable
    func ready(_ request: Request) async throws -> Readiness {
        var problems: [String: String] = [:]
        do {
            let applied = Set(try await MigrationLog.query(on: request.db).all().map(\.name))
            let missing = SystemMigrations.all.map(\.name).filter { !applied.contains($0) }
            if !missing.isEmpty { problems["migrations"] = "not applied: " + missing.joined(separator: ", ") }
            if try await !MasterKeyCheck.opens(request.berqenas.platform.secrets, on: request.db) {
                problems["master_key"] = "this server's master key no longer opens the system database (rotated?): restart it with the current key"
            }
        } catch {
            problems["database"] = "the system database does not answer"
        }
        let stopped = request.berqenas.loops.missing
        if !stopped.isEmpty { problems["loops"] = "not running: " + stopped.joined(separator: ", ") }
        guard problems.isEmpty else {
            throw PlatformError(
                code: "not_ready", status: 503,
                message: problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "),
                details: problems)
        }
        return Readiness(status: "ready", checks: ["database": "ok", "migrations": "ok", "master_key": "ok", "loops": "ok"])
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
