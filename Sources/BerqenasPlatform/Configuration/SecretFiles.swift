import Foundation

/// Secrets given as files (what container secrets mount), so they stay out of the environment's listings:
/// `BERQENAS_MASTER_KEY_FILE` holds the master key, `BERQENAS_DATABASE_PASSWORD_FILE` the system database's
/// password, which goes into `BERQENAS_DATABASE_URL` (a URL written without one). A trailing newline is dropped.
enum SecretFiles {
    static func apply(_ environment: [String: String], to configuration: inout PlatformConfiguration) throws {
        if let path = environment["BERQENAS_MASTER_KEY_FILE"], !path.isEmpty {
            guard configuration.masterKeyBase64 == nil else {
                throw PlatformError.invalidConfiguration("set BERQENAS_MASTER_KEY or BERQENAS_MASTER_KEY_FILE, not both")
            }
            configuration.masterKeyBase64 = try read(path, variable: "BERQENAS_MASTER_KEY_FILE")
        }
        if let path = environment["BERQENAS_DATABASE_PASSWORD_FILE"], !path.isEmpty {
            guard let url = configuration.databaseURL, var parts = URLComponents(string: url), parts.password == nil else {
                throw PlatformError.invalidConfiguration(
                    "BERQENAS_DATABASE_PASSWORD_FILE needs BERQENAS_DATABASE_URL, written without a password (postgres://user@host/db)")
            }
            parts.password = try read(path, variable: "BERQENAS_DATABASE_PASSWORD_FILE")
            guard let joined = parts.string else {
                throw PlatformError.invalidConfiguration("BERQENAS_DATABASE_PASSWORD_FILE: the password does not fit in the URL")
            }
            configuration.databaseURL = joined
        }
    }

    private static func read(_ path: String, variable: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PlatformError.invalidConfiguration("\(variable): cannot read \(path)")
        }
        let value = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
        guard !value.isEmpty else { throw PlatformError.invalidConfiguration("\(variable): \(path) is empty") }
        return value
    }
}
