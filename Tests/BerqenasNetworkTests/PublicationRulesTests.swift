import BerqenasNetwork
import BerqenasTestSupport
import Foundation
import Testing

/// Publications in the Berqenas table: DNAT only to the hub's own (or bound) address from allowed sources,
/// masquerade into tenant interfaces, counters per publication; loaded and read back by the real `nft`.
struct PublicationRulesTests {
    func service(_ key: String, port: Int, allowed: [String], bind: String? = nil) throws -> PublishedService {
        PublishedService(
            key: key, publicPort: port, allowed: try allowed.map { try IPv4Network(parsing: $0) },
            bind: bind.flatMap(IPv4Address.init), target: IPv4Address("198.19.0.2")!, targetPort: 5432)
    }

    func ruleset(_ publications: [PublishedService]) throws -> IsolationRuleset {
        IsolationRuleset(
            networks: [.init(interface: "bq0", network: try IPv4Network(parsing: "198.19.0.0/24"), spokeToSpoke: false)],
            pool: try IPv4Network(parsing: "198.19.0.0/16"), publications: publications)
    }

    @Test func rulesForwardOnlyAllowedSourcesToTheSite() throws {
        let script = try ruleset([
            try service("b", port: 15433, allowed: ["0.0.0.0/0"], bind: "198.18.0.2"),
            try service("a", port: 15432, allowed: ["198.18.10.0/30", "10.1.0.0/16"]),
        ]).script
        #expect(
            script.contains(
                #"fib daddr type local tcp dport 15432 ip saddr { 198.18.10.0/30, 10.1.0.0/16 } counter name "pub_a_conn" dnat ip to 198.19.0.2:5432"#
            ))
        #expect(
            script.contains(#"ip daddr 198.18.0.2 tcp dport 15433 counter name "pub_b_conn" dnat ip to 198.19.0.2:5432"#),
            "everyone allowed: no source match; bound to one address")
        #expect(script.contains(#"oifname "bq*" ct status dnat masquerade"#))
        #expect(
            script.contains(
                #"oifname "bq*" meta l4proto tcp ct status dnat ct original proto-dst 15432 ct direction original counter name "pub_a_in" accept"#))
        #expect(
            script.range(of: "pub_a_in\" accept")!.lowerBound < script.range(of: "ct status dnat reject with tcp reset")!.lowerBound,
            "a listed publication is accepted before other forwarded connections are reset")
        #expect(script.range(of: "dport 15432")!.lowerBound < script.range(of: "dport 15433")!.lowerBound, "stable order by port")
        #expect(!(try ruleset([]).script.contains("nat hook")), "no NAT chains without publications")
        #expect(
            PublishedService(key: "x-1;drop", publicPort: 1, allowed: [], bind: nil, target: IPv4Address("198.19.0.2")!, targetPort: 1).key
                == "x1drop")
    }

    @Test func admitsChecksTheSourceAgainstEveryAllowedNetwork() throws {
        let only = try service("a", port: 1, allowed: ["198.18.10.0/30", "10.1.0.0/16"])
        #expect(only.admits(IPv4Address("198.18.10.2")!) && only.admits(IPv4Address("10.1.200.3")!))
        #expect(!only.admits(IPv4Address("198.18.10.6")!))
    }

    @Test(.blockingWork, .enabled(if: TunnelSupport.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")))
    func nftLoadsPublicationsAndItsCountersReadBack() async throws {
        try await NetworkNamespace.with("bqp") { namespace in
            let runner = CommandRunner(namespace: namespace)
            let published = try service("a", port: 15432, allowed: ["198.18.10.0/30"])
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset([published]).script)
            let readings = try NftCounters.parse(try await runner.run("/usr/sbin/nft", NftCounters.listArguments))
            #expect(Set(readings.keys) == ["pub_a_conn", "pub_a_in", "pub_a_out"])
            #expect(NftCounters.traffic(of: published, in: readings) == .zero)
            // Without publications the NAT chains and counters go with the next replacement.
            try await runner.run("/usr/sbin/nft", ["-f", "-"], input: try ruleset([]).script)
            #expect(try NftCounters.parse(try await runner.run("/usr/sbin/nft", NftCounters.listArguments)).isEmpty)
            #expect(throws: NetworkError.self) { try NftCounters.parse("not json") }
        }
    }

    @Test func trafficGrowthNeverGoesNegative() {
        let earlier = PublicationTraffic(connections: 3, bytesIn: 100, bytesOut: 50)
        #expect(
            PublicationTraffic(connections: 5, bytesIn: 160, bytesOut: 50).since(earlier)
                == PublicationTraffic(connections: 2, bytesIn: 60, bytesOut: 0))
        #expect(
            PublicationTraffic(connections: 1, bytesIn: 10, bytesOut: 5).since(earlier) == PublicationTraffic(connections: 0, bytesIn: 0, bytesOut: 0)
        )
    }
}
