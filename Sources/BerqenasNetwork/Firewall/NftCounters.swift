import Foundation

/// The named counters of the Berqenas table, as `nft -j list counters table inet berqenas` prints them.
package enum NftCounters {
    package struct Reading: Sendable, Equatable {
        package var packets: Int64
        package var bytes: Int64
    }

    /// The arguments that list them.
    package static let listArguments = ["-j", "list", "counters", "table", "inet", IsolationRuleset.table]

    /// Counter name -> reading; entries that are not counters (the metainfo) are skipped.
    package static func parse(_ json: String) throws -> [String: Reading] {
        struct Listing: Decodable {
            struct Entry: Decodable {
                struct Counter: Decodable {
                    let name: String
                    let packets: Int64
                    let bytes: Int64
                }
                let counter: Counter?
            }
            let nftables: [Entry]
        }
        let listing: Listing
        do {
            listing = try JSONDecoder().decode(Listing.self, from: Data(json.utf8))
        } catch {
            throw NetworkError("unreadable_counters", "nft printed counters that could not be read: \(error)")
        }
        var readings: [String: Reading] = [:]
        for case let counter? in listing.nftables.map(\.counter) {
            readings[counter.name] = Reading(packets: counter.packets, bytes: counter.bytes)
        }
        return readings
    }

    /// A publication's traffic from the readings (a missing counter reads as zero).
    package static func traffic(of service: PublishedService, in readings: [String: Reading]) -> PublicationTraffic {
        PublicationTraffic(
            connections: readings[service.connectionsCounter]?.packets ?? 0,
            bytesIn: readings[service.inboundCounter]?.bytes ?? 0,
            bytesOut: readings[service.outboundCounter]?.bytes ?? 0)
    }
}
