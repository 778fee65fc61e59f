import BerqenasNetwork
import Foundation

/// `allowed_cidrs` lists (publications, API keys): IPv4 networks a caller must come from.
enum AllowedNetworks {
    /// Checks and normalizes a list (at least one, at most 64, duplicates dropped) to comma-separated text.
    static func normalize(_ list: [String]) throws -> String {
        guard (1...64).contains(list.count) else {
            throw PlatformError.validation(field: "allowed_cidrs", "list 1 to 64 IPv4 networks (0.0.0.0/0 for everyone)")
        }
        var parsed: [IPv4Network] = []
        for text in list {
            do { parsed.append(try IPv4Network(parsing: text.trimmingCharacters(in: .whitespaces))) } catch let error as NetworkError {
                throw PlatformError.validation(field: "allowed_cidrs", error.message)
            }
        }
        var unique: [IPv4Network] = []
        for network in parsed where !unique.contains(network) { unique.append(network) }
        return unique.map(\.description).joined(separator: ",")
    }

    /// Whether `address` (IPv4 text; an IPv4-mapped IPv6 address counts as its IPv4 one) is in the
    /// normalized list `networks`; a list open to everyone admits any caller (an unknown or IPv6 address too).
    static func admit(_ address: String?, networks: String) -> Bool {
        if networks == "0.0.0.0/0" { return true }  // open to everyone, IPv6 callers included
        guard var text = address else { return false }
        if text.hasPrefix("::ffff:") { text.removeFirst(7) }
        guard let source = IPv4Address(text) else { return false }
        return networks.split(separator: ",").contains { (try? IPv4Network(parsing: String($0)))?.contains(source) == true }
    }
}
