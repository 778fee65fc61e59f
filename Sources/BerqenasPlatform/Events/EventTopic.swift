import DatabaseConnectors
import Foundation

/// What a live subscriber follows: a tenant (all of it, its syncs or its VPN), one job, one remote
/// database, or (admins) the platform's own events.
package enum EventTopic: Sendable, Hashable, CustomStringConvertible {
    case tenant(String)
    case tenantSync(String)
    case tenantVPN(String)
    case job(UUID)
    case remoteDatabase(UUID)
    case platform

    /// `tenant:{t}`, `tenant:{t}/sync`, `tenant:{t}/vpn`, `job:{id}`, `remote_database:{id}` or `platform`.
    package init?(_ text: String) {
        if text == "platform" {
            self = .platform
            return
        }
        let (scope, rest) = (text.prefix { $0 != ":" }, text.drop { $0 != ":" }.dropFirst())
        switch scope {
        case "tenant":
            let name = rest.prefix { $0 != "/" }
            guard !name.isEmpty else { return nil }
            switch rest.dropFirst(name.count) {
            case "": self = .tenant(String(name))
            case "/sync": self = .tenantSync(String(name))
            case "/vpn": self = .tenantVPN(String(name))
            default: return nil
            }
        case "job":
            guard let id = UUID(uuidString: String(rest)) else { return nil }
            self = .job(id)
        case "remote_database":
            guard let id = UUID(uuidString: String(rest)) else { return nil }
            self = .remoteDatabase(id)
        default: return nil
        }
    }

    package var description: String {
        switch self {
        case let .tenant(name): "tenant:\(name)"
        case let .tenantSync(name): "tenant:\(name)/sync"
        case let .tenantVPN(name): "tenant:\(name)/vpn"
        case let .job(id): "job:\(id.uuidString)"
        case let .remoteDatabase(id): "remote_database:\(id.uuidString)"
        case .platform: "platform"
        }
    }

    /// Whether `event` belongs to this topic (its tenant is checked when the subscription is made).
    package func matches(_ event: PlatformEvent, data: JSONValue) -> Bool {
        switch self {
        case let .tenant(name): event.tenantName == name && event.tenantID != nil
        case let .tenantSync(name): event.tenantName == name && event.tenantID != nil && event.kind.hasPrefix("sync.")
        case let .tenantVPN(name):
            event.tenantName == name && event.tenantID != nil
                && (event.kind.hasPrefix("vpn.") || event.kind.hasPrefix("publication."))
        case let .job(id): event.tenantID != nil && Self.names(data["job_id"], id)
        case let .remoteDatabase(id): event.tenantID != nil && Self.names(data["remote_database_id"], id)
        case .platform: event.tenantID == nil
        }
    }

    private static func names(_ value: JSONValue?, _ id: UUID) -> Bool {
        guard case let .string(text)? = value else { return false }
        return UUID(uuidString: text) == id
    }
}
