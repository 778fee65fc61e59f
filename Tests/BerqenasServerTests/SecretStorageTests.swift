import BerqenasTestSupport
import Foundation
import Testing

@Suite struct SecretStorageTests {
    @Test func noPlaintextSecretReachesTheSQLiteFiles() async throws {
        let directory = TemporaryDirectory.make()
        var secrets: [String] = [TestHub.adminPassword]
        try await TestHub.run(dataDirectory: directory) { hub in
            let tokens = try await hub.login()
            secrets.append(try #require(tokens["refresh_token"] as? String))
            let admin = try #require(tokens["access_token"] as? String)
            try await hub.createTenant("acme", adminToken: admin)
            _ = try await hub.createUser("otto", role: "tenant_admin", tenant: "acme", token: admin)
            secrets.append("pw-otto-123456")
        }
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sqlite") || $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }
        #expect(files.contains("berqenas.sqlite"))
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(4))… found in \(file)")
            }
        }
    }

    @Test func theGeneratedAdminPasswordIsWrittenOnceToAPrivateFile() async throws {
        let directory = TemporaryDirectory.make()
        let file = directory.appendingPathComponent("initial-admin-password")
        try await TestHub.run(dataDirectory: directory, adminPassword: nil) { hub in
            let password = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(password.count == 24)
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect(try await hub.send(.POST, "/api/v1/auth/login", json: ["username": "admin", "password": password]).status == .ok)
            try FileManager.default.removeItem(at: file)
        }
        // A later start finds the admin and does not generate (or write) another password.
        try await TestHub.run(dataDirectory: directory, adminPassword: nil) { _ in
            #expect(!FileManager.default.fileExists(atPath: file.path))
        }
    }
}
