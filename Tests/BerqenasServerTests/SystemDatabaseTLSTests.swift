import BerqenasPlatform
import DatabaseConnectors
import PostgresNIO
import Testing

@testable import BerqenasServer

/// The system database URL's `sslmode`, read as libpq reads it.
@Suite struct SystemDatabaseTLSTests {
    @Test func modesFollowLibpq() throws {
        #expect(try SSLMode.tls(of: "postgres://u:p@db/x?sslmode=disable") == .disable)
        #expect(try SSLMode.tls(of: "postgres://u:p@db/x") == .prefer)
        #expect(try SSLMode.tls(of: "postgres://u:p@db/x?sslmode=require") == .require)
        #expect(try SSLMode.tls(of: "postgres://u:p@db/x?sslmode=verify-full") == .verifyFull)
        #expect(try SSLMode.tls(of: "postgres://u:p@db/x?sslmode=allow") == .prefer)
    }

    @Test func anUnknownModeIsAConfigurationErrorNamingTheSetting() {
        let error = #expect(throws: PlatformError.self) { try SystemDatabaseTLS.mode(url: "postgres://u:p@db/x?sslmode=maybe") }
        #expect(error?.message.contains("sslmode") == true)
        #expect(error?.message.contains("maybe") == true)
    }
}
