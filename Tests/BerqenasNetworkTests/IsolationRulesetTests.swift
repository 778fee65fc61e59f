import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// The isolation table, rendered and loaded by the real `nft` inside a throwaway namespace.
struct IsolationRulesetTests {
    func ruleset(spokeToSpoke: Bool = false) throws -> IsolationRuleset {
        IsolationRuleset(
            networks: [
                .init(interface: "bq1", network: try IPv4Network(parsing: "198.19.1.0/24"), spokeToSpoke: true),
                .init(interface: "bq0", network: try IPv4Network(parsing: "198.19.0.0/24"), spokeToSpoke: spokeToSpoke),
            ], pool: try IPv4Network(parsing: "198.19.0.0/16"), hubPortsOpenToSpokes: [5432])
    }

    @Test func rulesSayWhatIsolationMeans() throws {
        let script = try ruleset().script
        #expect(script.hasPrefix("table inet berqenas\ndelete table inet berqenas\ntable inet berqenas {"))
        #expect(script.contains(#"iifname "bq0" oifname "bq*" drop"#), "spoke-to-spoke off: nothing from bq0 to any tenant interface")
        #expect(script.contains(#"iifname "bq1" oifname "bq*" oifname != "bq1" drop"#), "spoke-to-spoke on: other tenants only")
        #expect(script.contains("ip saddr 198.19.0.0/24 ip daddr 198.19.0.0/16 ip daddr != 198.19.0.0/24 drop"))
        #expect(script.contains(#"iifname "bq*" tcp dport { 5432 } accept"#))
        #expect(script.contains(#"oifname "bq0" ip daddr != 198.19.0.0/24 reject"#), "the hub sends into a tenant's tunnel only to its network")
        #expect(script.range(of: "bq0")!.lowerBound < script.range(of: "bq1")!.lowerBound, "stable order")
        #expect(try ruleset(spokeToSpoke: true).script != script)
    }

    @Test(.blockingWork, .enabled(if: TunnelSupport.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")))
    func nftLoadsItAndReplacesItWhole() async throws {
        try await NetworkNamespace.with("bqn") { namespace in
            let runner = CommandRunner(namespace: namespace)
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset().script)
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset(spokeToSpoke: true).script)
            let listed = try await runner.run("/usr/sbin/nft", ["list", "table", "inet", "berqenas"])
            #expect(listed.contains(#"iifname "bq0" oifname "bq*" oifname != "bq0" drop"#), "the second load replaced the first: \(listed)")
            #expect(!listed.contains(#"iifname "bq0" oifname "bq*" drop"#))
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: IsolationRuleset.removal)
            #expect(!(try await runner.run("/usr/sbin/nft", ["list", "tables"])).contains("berqenas"))
        }
    }
}
