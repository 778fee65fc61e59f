import ArgumentParser
import BerqenasPlatform
import BerqenasServer
import Foundation
import Vapor

/// `berqenas migrate`: applies pending system database migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending system database migrations (serve also does this at start)."
    )

    func run() async throws {
        let configuration = try PlatformConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        let app = try await Application.make(Environment(name: "production", arguments: ["berqenas"]))
        do {
            try await BerqenasServer.migrate(app, configuration: configuration)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        print("migrations applied (\(configuration.systemDatabaseEngine.rawValue))")
    }
}
