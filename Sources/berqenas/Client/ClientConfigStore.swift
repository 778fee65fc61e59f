import BerqenasPlatform
import Foundation

/// What `berqenas login` remembers: the hub's URL and the tokens.
struct ClientConfig: Codable {
    var url: String
    var username: String
    var accessToken: String
    var refreshToken: String

    enum CodingKeys: String, CodingKey {
        case url, username, accessToken = "access_token", refreshToken = "refresh_token"
    }
}

/// Reads and writes `~/.config/berqenas/config.json` (mode 0600); `BERQENAS_CONFIG` names another file.
enum ClientConfigStore {
    static var file: URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BERQENAS_CONFIG"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("berqenas/config.json")
    }

    static func load() throws -> ClientConfig {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CLIError("not logged in: run `berqenas login --url URL --username NAME` first")
        }
        do {
            return try JSONDecoder().decode(ClientConfig.self, from: data)
        } catch {
            throw CLIError("\(file.path) is damaged; run `berqenas login` again")
        }
    }

    static func save(_ config: ClientConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try PrivateFile.write(String(decoding: try encoder.encode(config), as: UTF8.self) + "\n", to: file)
    }

    static func remove() {
        try? FileManager.default.removeItem(at: file)
    }
}

/// A CLI failure with the message to show.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
