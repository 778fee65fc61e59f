import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation
import NIOCore
import NIOPosix
import Vapor

/// `berqenas serve`: runs the hub until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the hub (configured by BERQENAS_* environment variables; see the README)."
    )

    func run() async throws {
        // Swift concurrency's jobs run on NIO's event loops, on the loop that enqueues them when it can: a
        // request's handler, its database round trip and its reply stay on one thread instead of hopping
        // between the HTTP loop, the cooperative pool and the database loop. Blocking work already runs on
        // NIO's thread pool or Dispatch (FreeTDS, bcrypt, child processes), never in a task.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let configuration = try PlatformConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        var environment = Environment(name: "production", arguments: ["berqenas"])
        switch configuration.operations.logFormat {
        case .text: try LoggingSystem.bootstrap(from: &environment)
        case .json: JSONLogHandler.bootstrap(environment: ProcessInfo.processInfo.environment)
        }
        let app = try await Application.make(environment)
        do {
            try await BerqenasServer.configure(app, configuration: configuration)
            app.logger.notice(
                """
                Berqenas \(BerqenasVersion.current) on http://\(configuration.host):\(configuration.port), \
                system database: \(configuration.systemDatabaseEngine.rawValue), data: \(configuration.dataDirectory.path), \
                roles: \(configuration.roles.listed)
                """)
            try await BerqenasServer.serve(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
