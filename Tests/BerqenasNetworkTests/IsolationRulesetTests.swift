import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// The isolation table, rendered and loaded by the real `nft` inside a throwaway namespace.
struct IsolationRulesetTests {
    func ruleset(spokeToSpoke: Bool = false, forwardFrom: [String] = []) throws -> IsolationRuleset {
        IsolationRuleset(
            networks: [
                .init(interface: "bq1", network: try IPv4Network(parsing: "198.19.1.0/24"), spokeToSpoke: true),
                .init(interface: "bq0", network: try IPv4Network(parsing: "198.19.0.0/24"), spokeToSpoke: spokeToSpoke),
            ], pool: try IPv4Network(parsing: "198.19.0.0/16"), hubPortsOpenToSpokes: [5432],
            forwardFrom: try forwardFrom.map { try IPv4Network(parsing: $0) })
    }

    /// The forward chain's rules, in order.
    func forwardRules(_ script: String) -> [String] {
        let chain = script.components(separatedBy: "chain forward {")[1].components(separatedBy: "\n    }")[0]
        return chain.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
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

    @Test func sitesOpenNothingBeyondTheirTunnelsAndOnlyListedServersOpenConnectionsIntoThem() throws {
        let closed = forwardRules(try ruleset().script)
        #expect(Array(closed.suffix(2)) == [#"iifname "bq*" drop"#, #"oifname "bq*" drop"#], "\(closed)")
        #expect(closed.contains(#"iifname "bq1" oifname "bq1" accept"#), "spoke-to-spoke inside a tenant that allows it")
        #expect(!closed.contains(where: { $0.contains("ct direction original accept") }))
        #expect(!(try ruleset().script).contains("postrouting"), "no NAT without publications or hub servers")

        let open = try ruleset(forwardFrom: ["198.18.0.1/32", "172.20.0.0/16"]).script
        let rules = forwardRules(open)
        let accept = #"iifname != "bq*" oifname "bq*" ip saddr { 198.18.0.1/32, 172.20.0.0/16 } ct direction original accept"#
        #expect(rules.firstIndex(of: accept) ?? .max < rules.firstIndex(of: #"oifname "bq*" drop"#) ?? -1, "\(rules)")
        #expect(rules.contains(#"iifname "bq*" oifname != "bq*" ip daddr { 198.18.0.1/32, 172.20.0.0/16 } ct direction reply accept"#))
        #expect(open.contains(#"oifname "bq*" ip saddr { 198.18.0.1/32, 172.20.0.0/16 } masquerade"#), "seen by sites as the hub")
    }

    @Test(.blockingWork, .enabled(if: TunnelSupport.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")))
    func nftLoadsItAndReplacesItWhole() async throws {
        try await NetworkNamespace.with("bqn") { namespace in
            let runner = CommandRunner(namespace: namespace)
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset().script)
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset(forwardFrom: ["198.18.0.1/32"]).script)
            #expect(try await runner.run("/usr/sbin/nft", ["list", "table", "inet", "berqenas"]).contains("masquerade"))
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset(spokeToSpoke: true).script)
            let listed = try await runner.run("/usr/sbin/nft", ["list", "table", "inet", "berqenas"])
            #expect(listed.contains(#"iifname "bq0" oifname "bq*" oifname != "bq0" drop"#), "the second load replaced the first: \(listed)")
            #expect(!listed.contains(#"iifname "bq0" oifname "bq*" drop"#))
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: IsolationRuleset.removal)
            #expect(!(try await runner.run("/usr/sbin/nft", ["list", "tables"])).contains("berqenas"))
        }
    }
}
