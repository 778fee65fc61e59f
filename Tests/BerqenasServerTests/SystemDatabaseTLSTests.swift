import BerqenasPlatform
import PostgresNIO
import Testing

@testable import BerqenasServer

/// The system database URL's `sslmode`, read as libpq reads it.
@Suite struct SystemDatabaseTLSTests {
    @Test func modesFollowLibpq() throws {
        #expect(try SystemDatabaseTLS.mode(url: "postgres://u:p@db/x?sslmode=disable").disables)
        #expect(try SystemDatabaseTLS.mode(url: "postgres://u:p@db/x").isPrefer)
        #expect(try SystemDatabaseTLS.mode(url: "postgres://u:p@db/x?sslmode=require").isRequire)
        #expect(try SystemDatabaseTLS.mode(url: "postgres://u:p@db/x?sslmode=verify-full").isRequire)
    }

    @Test func anUnknownModeIsAConfigurationErrorNamingTheSetting() {
        let error = #expect(throws: PlatformError.self) { try SystemDatabaseTLS.mode(url: "postgres://u:p@db/x?sslmode=maybe") }
        #expect(error?.message.contains("sslmode") == true)
        #expect(error?.message.contains("maybe") == true)
    }
}

extension PostgresConnection.Configuration.TLS {
    var disables: Bool { !isAllowed }
    var isPrefer: Bool { isAllowed && !isEnforced }
    var isRequire: Bool { isEnforced }
}
