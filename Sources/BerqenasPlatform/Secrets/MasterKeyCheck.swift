import FluentKit

/// Proves at start-up that the master key is the one this system database was sealed with.
///
/// The first start seals a known phrase into `system_settings`; every later start must open it, so a
/// wrong key stops the hub with a clear message instead of producing garbage on first use.
package enum MasterKeyCheck {
    static let settingKey = "master_key_check"
    static let phrase = "berqenas master key check v1"

    /// Records the check on first start, verifies it afterwards.
    /// - Throws: `PlatformError` `master_key_mismatch`.
    package static func verify(_ secrets: SecretBox, on database: any Database) async throws {
        if let stored = try await SystemSetting.find(settingKey, on: database) {
            guard (try? secrets.open(stored.value, context: settingKey)) == phrase else {
                throw PlatformError(
                    code: "master_key_mismatch", status: 500,
                    message: "the master key does not open this hub's secrets: BERQENAS_MASTER_KEY (or the key "
                        + "file in the data directory) is not the key this system database was created with"
                )
            }
            return
        }
        try await SystemSetting(key: settingKey, value: secrets.seal(phrase, context: settingKey)).create(on: database)
    }

    /// Whether `secrets` opens this database's check (false before any check was recorded).
    package static func opens(_ secrets: SecretBox, on database: any Database) async throws -> Bool {
        guard let stored = try await SystemSetting.find(settingKey, on: database) else { return false }
        return (try? secrets.open(stored.value, context: settingKey)) == phrase
    }

    /// Seals the check with `secrets` (a rotation's new key), replacing the one stored.
    static func reseal(with secrets: SecretBox, on database: any Database) async throws {
        try await SystemSetting.query(on: database).filter(\.$id == settingKey)
            .set(\.$value, to: try secrets.seal(phrase, context: settingKey)).update()
    }
}
