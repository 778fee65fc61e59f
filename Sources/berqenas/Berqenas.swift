import ArgumentParser

/// `berqenas`: the hub (`serve`, `migrate`) and the operator CLI over its HTTP API.
@main
struct Berqenas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berqenas",
        abstract: "Berqenas hybrid-cloud data hub: the server and its operator CLI.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, LoginCommand.self, LogoutCommand.self, SyncCommand.self,
            TenantCommand.self, UserCommand.self, VPNCommand.self, PublishCommand.self,
            APICommand.self, EventsCommand.self, HealthCommand.self, RotateMasterKeyCommand.self,
        ]
    )
}
