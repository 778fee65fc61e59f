import ArgumentParser
import BerqenasServer
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `berqenas login`: signs in and stores the tokens for the other commands.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Sign in to a hub and remember the session.")

    @ArgumentParser.Option(help: "The hub's URL, e.g. http://127.0.0.1:8080.")
    var url: String

    @ArgumentParser.Option(help: "Username.")
    var username: String

    @ArgumentParser.Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.")
    var passwordStdin = false

    func run() async throws {
        let password = try readPassword()
        let config = try await APIClient.login(url: url, username: username, password: password)
        try ClientConfigStore.save(config)
        print("logged in to \(config.url) as \(username); session stored in \(ClientConfigStore.file.path)")
    }

    private func readPassword() throws -> String {
        if passwordStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError("no password on standard input")
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1, let raw = getpass("Password: ") else {
            throw CLIError("standard input is not a terminal: use --password-stdin")
        }
        return String(cString: raw)
    }
}

/// `berqenas logout`: revokes the stored session and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the stored session.")

    func run() async throws {
        var client = try APIClient.loggedIn()
        _ = try? await client.send(.POST, "/api/v1/auth/logout", body: LogoutRequest(refreshToken: client.config.refreshToken))
        ClientConfigStore.remove()
        print("logged out")
    }
}
