import FluentKit
import Foundation

/// How many of each thing one tenant may have (`BERQENAS_TENANT_LIMITS`, e.g.
/// `remote_databases=50,apis=20,peers=250,publications=50,continuous=10`): each one holds connections,
/// ports, addresses or a loop of the hub's, so none may grow without bound.
package struct TenantLimits: Sendable, Equatable {
    /// What is counted.
    package enum Kind: String, Sendable, CaseIterable {
        case remoteDatabases = "remote_databases"
        case apis
        case peers
        case publications
        case continuous
    }

    package var limits: [Kind: Int] = [.remoteDatabases: 50, .apis: 20, .peers: 250, .publications: 50, .continuous: 10]

    package init() {}

    /// Reads `kind=number` pairs; kinds not named keep their default.
    /// - Throws: `PlatformError` naming the variable for anything else.
    package init(parsing text: String?) throws {
        for pair in (text ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let kind = Kind(rawValue: parts[0]), let value = Int(parts[1]), (0...100_000).contains(value) else {
                throw PlatformError.invalidConfiguration(
                    "BERQENAS_TENANT_LIMITS: '\(pair)' is not kind=number (kinds: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            limits[kind] = value
        }
    }

    /// - Throws: 409 `quota_exceeded` when the tenant already has as many `kind` as it may.
    func admitAnother(_ kind: Kind, tenantID: UUID, on database: any Database) async throws {
        let limit = limits[kind] ?? 0
        let count =
            switch kind {
            case .remoteDatabases: try await RemoteDatabase.query(on: database).filter(\.$tenantID == tenantID).count()
            case .apis: try await APIDefinition.query(on: database).filter(\.$tenantID == tenantID).count()
            case .peers: try await VPNPeer.query(on: database).filter(\.$tenantID == tenantID).filter(\.$revokedAt == nil).count()
            case .publications: try await Publication.query(on: database).filter(\.$tenantID == tenantID).count()
            case .continuous:
                try await RemoteDatabase.query(on: database).filter(\.$tenantID == tenantID).filter(\.$continuous == true).count()
            }
        guard count < limit else {
            throw PlatformError(
                code: "quota_exceeded", status: 409,
                message:
                    "the tenant has \(count) \(kind.rawValue.replacingOccurrences(of: "_", with: " ")), the most it may have (BERQENAS_TENANT_LIMITS \(kind.rawValue)=\(limit))",
                details: ["limit": String(limit), "kind": kind.rawValue])
        }
    }
}
