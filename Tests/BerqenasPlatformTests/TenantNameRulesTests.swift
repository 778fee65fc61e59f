import BerqenasPlatform
import Testing

@Suite struct TenantNameRulesTests {
    @Test(arguments: ["acme", "ab", "store_042", "a234567890123456789012345678901"])
    func acceptsWellFormedNames(_ name: String) throws {
        try TenantNameRules.validateName(name)
    }

    @Test(arguments: [
        "", "a", "Acme", "1acme", "_acme", "acme-co", "acme co", "ünï", "a2345678901234567890123456789012",
        "admin", "public", "pg_stuff", "sqlite_master", "acme;drop",
    ])
    func refusesOthersNamingTheField(_ name: String) {
        #expect {
            try TenantNameRules.validateName(name)
        } throws: { error in
            let error = error as? PlatformError
            return error?.status == 422 && error?.details["field"] == "name"
        }
    }

    @Test func subdomainsAreDNSLabels() throws {
        try TenantNameRules.validateSubdomain("store-42")
        #expect(throws: PlatformError.self) { try TenantNameRules.validateSubdomain("-store") }
        #expect(throws: PlatformError.self) { try TenantNameRules.validateSubdomain("Store") }
        #expect(throws: PlatformError.self) { try TenantNameRules.validateSubdomain(String(repeating: "a", count: 64)) }
    }
}
