import Foundation

/// What one server of a hub does (`BERQENAS_ROLES`, default all three). Servers sharing one PostgreSQL system
/// database may split the roles between them in any mix.
package enum ServerRole: String, CaseIterable, Sendable, Comparable {
    /// The HTTP API, the web panel, the WebSocket and the generated APIs.
    case api
    /// Sync jobs, schedules, continuous sync, alert monitoring and deliveries, event retention.
    case worker
    /// WireGuard interfaces, nftables, publications and the peers' status poller.
    case gateway

    package static func < (left: ServerRole, right: ServerRole) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }

    /// `api,worker,gateway` in any order and mix.
    static func parse(_ text: String) throws -> Set<ServerRole> {
        var roles: Set<ServerRole> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: .whitespaces).lowercased()
            guard let role = ServerRole(rawValue: name) else {
                throw PlatformError.invalidConfiguration(
                    "BERQENAS_ROLES is a comma-separated list of api, worker and gateway; '\(name.prefix(40))' is none of them")
            }
            roles.insert(role)
        }
        return roles
    }
}

extension Set where Element == ServerRole {
    /// `api,worker,gateway` order, for messages and logs.
    package var listed: String { sorted().map(\.rawValue).joined(separator: ",") }
}
