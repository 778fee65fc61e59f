import BerqenasPlatform
import BerqenasTestSupport
import Foundation
import Testing

/// Secrets as files, as container secrets mount them: `BERQENAS_MASTER_KEY_FILE`, `BERQENAS_DATABASE_PASSWORD_FILE`.
struct SecretFileTests {
    static func file(_ text: String) throws -> String {
        let path = TemporaryDirectory.make().appendingPathComponent("secret").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theMasterKeyAndTheDatabasePasswordAreReadFromFiles() throws {
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let password = "p@ss:w/rd%20 é"
        let configuration = try PlatformConfiguration.fromEnvironment([
            "BERQENAS_MASTER_KEY_FILE": try Self.file(key + "\n"),
            "BERQENAS_DATABASE_URL": "postgres://berqenas@db:5432/berqenas",
            "BERQENAS_DATABASE_PASSWORD_FILE": try Self.file(password + "\n"),
        ])
        #expect(configuration.masterKeyBase64 == key)
        let url = try #require(configuration.databaseURL.flatMap { URLComponents(string: $0) })
        #expect(url.password == password && url.user == "berqenas" && url.host == "db" && url.path == "/berqenas")
    }

    @Test func unusableSecretFilesStopTheStartNamingTheVariable() throws {
        let cases: [([String: String], String)] = [
            (["BERQENAS_MASTER_KEY_FILE": "/nonexistent/key"], "BERQENAS_MASTER_KEY_FILE"),
            (["BERQENAS_MASTER_KEY_FILE": try Self.file("\n")], "BERQENAS_MASTER_KEY_FILE"),
            (["BERQENAS_MASTER_KEY": "a", "BERQENAS_MASTER_KEY_FILE": try Self.file("b")], "not both"),
            (["BERQENAS_DATABASE_PASSWORD_FILE": try Self.file("x")], "BERQENAS_DATABASE_URL"),
            (
                ["BERQENAS_DATABASE_URL": "postgres://u:already@db/x", "BERQENAS_DATABASE_PASSWORD_FILE": try Self.file("x")],
                "without a password"
            ),
        ]
        for (environment, named) in cases {
            do {
                _ = try PlatformConfiguration.fromEnvironment(environment)
                Issue.record("accepted: \(environment)")
            } catch let error as PlatformError {
                #expect(error.message.contains(named), "\(error.message)")
            }
        }
    }
}
