import DatabaseConnectors
import FluentKit
import Foundation
import SQLKit

/// One subject for which a rule's condition holds now, with what the alert will say about it.
struct AlertFinding: Sendable {
    var subject: String
    var tenantID: UUID
    var title: String
    var summary: String
    var facts: [AlertMessage.Fact]
    var action: String
    /// The panel page, a path under `BERQENAS_PUBLIC_URL` (`/#/tenants/acme/jobs/<id>`).
    var page: String
    var details: [(String, JSONValue)]
}

/// Where each condition holds, read from the system database with indexed queries.
struct AlertConditions: Sendable {
    let database: any Database

    /// The subjects `rule` holds for at `now`; `tenants` names them.
    func findings(of rule: AlertRule, tenants: [UUID: String], now: Date) async throws -> [AlertFinding] {
        switch rule.condition {
        case .jobFailed: try await failedJobs(rule, tenants: tenants)
        case .conflictsOpenOver: try await openConflicts(rule, tenants: tenants)
        case .peerDisconnectedFor: try await disconnectedPeers(rule, tenants: tenants, now: now)
        case .remoteUnreachableFor: try await unreachableRemotes(rule, tenants: tenants, now: now)
        case .jobDurationOver: try await longJobs(rule, tenants: tenants, now: now)
        }
    }

    /// The remote databases a rule looks at.
    private func remotes(of rule: AlertRule) async throws -> [RemoteDatabase] {
        var query = RemoteDatabase.query(on: database)
        if let id = rule.remoteDatabaseID { query = query.filter(\.$id == id) }
        if let tenantID = rule.tenantID { query = query.filter(\.$tenantID == tenantID) }
        return try await query.all()
    }

    private func failedJobs(_ rule: AlertRule, tenants: [UUID: String]) async throws -> [AlertFinding] {
        var found: [AlertFinding] = []
        for remote in try await remotes(of: rule) {
            let remoteID = try remote.requireID()
            guard
                let job = try await SyncJob.query(on: database).filter(\.$remoteDatabaseID == remoteID)
                    .filter(\.$status ~~ [.succeeded, .failed]).filter(\.$finishedAt != nil).sort(\.$finishedAt, .descending).first(),
                job.status == .failed, let jobID = job.id
            else { continue }
            let tenant = tenants[remote.tenantID] ?? "?"
            let error = "\(job.errorCode ?? "internal"): \(job.errorMessage ?? "no message")"
            found.append(
                AlertFinding(
                    subject: "remote-database:\(remoteID)", tenantID: remote.tenantID,
                    title: "sync job failed on '\(remote.name)' (\(tenant))",
                    summary:
                        "The \(job.kind.rawValue) job \(jobID.uuidString) on remote database '\(remote.name)' of tenant '\(tenant)' failed: \(error).",
                    facts: [
                        .init(name: "Tenant", value: tenant), .init(name: "Remote database", value: remote.name),
                        .init(name: "Job", value: jobID.uuidString), .init(name: "Error", value: error),
                        .init(name: "Finished", value: job.finishedAt.map(AlertMessage.timestamp) ?? "?"),
                    ],
                    action:
                        "Read the job's error. If the remote database cannot be reached, check its server and WireGuard peer; then run the sync again. This alert clears when a later job on it succeeds.",
                    page: "/#/tenants/\(tenant)/jobs/\(jobID.uuidString)",
                    details: [
                        ("job_id", .id(jobID)), ("remote_database_id", .id(remoteID)), ("remote_database", .string(remote.name)),
                        ("error_code", .string(job.errorCode ?? "internal")), ("error_message", .string(job.errorMessage ?? "")),
                    ]))
        }
        return found
    }

    private func openConflicts(_ rule: AlertRule, tenants: [UUID: String]) async throws -> [AlertFinding] {
        guard let sql = database as? any SQLDatabase else { return [] }
        var query = sql.select().column("remote_database_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "open_count")
            .from(SyncConflict.schema).where("status", .equal, ConflictStatus.open.rawValue)
        if let tenantID = rule.tenantID { query = query.where("tenant_id", .equal, tenantID) }
        if let remoteID = rule.remoteDatabaseID { query = query.where("remote_database_id", .equal, remoteID) }
        struct Count: Decodable {
            let remote_database_id: UUID
            let open_count: Int
        }
        let counts = try await query.groupBy("remote_database_id").all(decoding: Count.self).filter { $0.open_count > (rule.threshold ?? 0) }
        guard !counts.isEmpty else { return [] }
        let remotes = try await RemoteDatabase.query(on: database).filter(\.$id ~~ counts.map(\.remote_database_id)).all()
        return counts.compactMap { count in
            guard let remote = remotes.first(where: { $0.id == count.remote_database_id }) else { return nil }
            let tenant = tenants[remote.tenantID] ?? "?"
            return AlertFinding(
                subject: "remote-database:\(count.remote_database_id)", tenantID: remote.tenantID,
                title: "\(count.open_count) open conflicts on '\(remote.name)' (\(tenant))",
                summary:
                    "\(count.open_count) conflicts wait for a decision on remote database '\(remote.name)' of tenant '\(tenant)' (the rule allows \(rule.threshold ?? 0)).",
                facts: [
                    .init(name: "Tenant", value: tenant), .init(name: "Remote database", value: remote.name),
                    .init(name: "Open conflicts", value: String(count.open_count)),
                ],
                action: "Resolve them (cloud, local or a custom value); the rows stay as they are on each side until then.",
                page: "/#/tenants/\(tenant)/remote-databases/\(count.remote_database_id.uuidString)/conflicts",
                details: [
                    ("remote_database_id", .id(count.remote_database_id)), ("remote_database", .string(remote.name)),
                    ("open_conflicts", .int(count.open_count)),
                ])
        }
    }

    private func disconnectedPeers(_ rule: AlertRule, tenants: [UUID: String], now: Date) async throws -> [AlertFinding] {
        let minutes = rule.threshold ?? 5
        var query = VPNPeer.query(on: database).filter(\.$revokedAt == nil)
        if let tenantID = rule.tenantID { query = query.filter(\.$tenantID == tenantID) }
        let enabled = Set(try await Tenant.query(on: database).filter(\.$vpnEnabled == true).all().compactMap(\.id))
        return try await query.all().compactMap { peer in
            guard enabled.contains(peer.tenantID), !peer.isConnected(at: now), let peerID = peer.id else { return nil }
            let since = peer.latestHandshake.map { $0.addingTimeInterval(VPNPeer.connectedWithin) } ?? peer.createdAt ?? now
            guard now.timeIntervalSince(since) >= TimeInterval(minutes * 60) else { return nil }
            let tenant = tenants[peer.tenantID] ?? "?"
            return AlertFinding(
                subject: "vpn-peer:\(peerID)", tenantID: peer.tenantID,
                title: "WireGuard peer '\(peer.name)' disconnected (\(tenant))",
                summary:
                    "WireGuard peer '\(peer.name)' of tenant '\(tenant)' has had no handshake for more than \(minutes) minutes past the connected window.",
                facts: [
                    .init(name: "Tenant", value: tenant), .init(name: "Peer", value: peer.name),
                    .init(name: "Last handshake", value: peer.latestHandshake.map(AlertMessage.timestamp) ?? "never"),
                    .init(name: "Tunnel address", value: peer.address ?? "none"),
                ],
                action:
                    "Check that the site's machine is up and runs WireGuard with its configuration, and that it can reach the hub's UDP port.",
                page: "/#/tenants/\(tenant)/vpn/peers/\(peerID.uuidString)",
                details: [
                    ("peer_id", .id(peerID)), ("peer", .string(peer.name)),
                    ("latest_handshake", peer.latestHandshake.map { .string(AlertMessage.timestamp($0)) } ?? .null),
                ])
        }
    }

    private func unreachableRemotes(_ rule: AlertRule, tenants: [UUID: String], now: Date) async throws -> [AlertFinding] {
        let minutes = rule.threshold ?? 5
        return try await remotes(of: rule).compactMap { remote in
            guard remote.status.isFailed, let since = remote.unreachableSince, let remoteID = remote.id,
                now.timeIntervalSince(since) >= TimeInterval(minutes * 60)
            else { return nil }
            let tenant = tenants[remote.tenantID] ?? "?"
            let error = "\(remote.status.rawValue): \(remote.statusMessage ?? "no message")"
            return AlertFinding(
                subject: "remote-database:\(remoteID)", tenantID: remote.tenantID,
                title: "remote database '\(remote.name)' unreachable (\(tenant))",
                summary: "Remote database '\(remote.name)' of tenant '\(tenant)' has not answered since \(AlertMessage.timestamp(since)): \(error).",
                facts: [
                    .init(name: "Tenant", value: tenant), .init(name: "Remote database", value: remote.name),
                    .init(name: "Since", value: AlertMessage.timestamp(since)), .init(name: "Error", value: error),
                ],
                action: "Check the database server and the WireGuard peer it is reached through, then test the connection again.",
                page: "/#/tenants/\(tenant)/remote-databases/\(remoteID.uuidString)",
                details: [
                    ("remote_database_id", .id(remoteID)), ("remote_database", .string(remote.name)),
                    ("status", .string(remote.status.rawValue)), ("unreachable_since", .string(AlertMessage.timestamp(since))),
                ])
        }
    }

    private func longJobs(_ rule: AlertRule, tenants: [UUID: String], now: Date) async throws -> [AlertFinding] {
        let minutes = rule.threshold ?? 60
        var query = SyncJob.query(on: database).filter(\.$status == .running)
            .filter(\.$startedAt <= now.addingTimeInterval(-TimeInterval(minutes * 60)))
        if let tenantID = rule.tenantID { query = query.filter(\.$tenantID == tenantID) }
        if let remoteID = rule.remoteDatabaseID { query = query.filter(\.$remoteDatabaseID == remoteID) }
        let jobs = try await query.all()
        guard !jobs.isEmpty else { return [] }
        let remotes = try await RemoteDatabase.query(on: database).filter(\.$id ~~ Set(jobs.map(\.remoteDatabaseID))).all()
        return jobs.compactMap { job in
            guard let jobID = job.id, let started = job.startedAt else { return nil }
            let tenant = tenants[job.tenantID] ?? "?"
            let remote = remotes.first { $0.id == job.remoteDatabaseID }?.name ?? "?"
            return AlertFinding(
                subject: "sync-job:\(jobID)", tenantID: job.tenantID,
                title: "sync job on '\(remote)' running over \(minutes) minutes (\(tenant))",
                summary:
                    "The \(job.kind.rawValue) job \(jobID.uuidString) on remote database '\(remote)' of tenant '\(tenant)' has run since \(AlertMessage.timestamp(started)).",
                facts: [
                    .init(name: "Tenant", value: tenant), .init(name: "Remote database", value: remote),
                    .init(name: "Job", value: jobID.uuidString), .init(name: "Started", value: AlertMessage.timestamp(started)),
                ],
                action: "Watch its progress; if it no longer moves, cancel it and look at the remote database's load and connection.",
                page: "/#/tenants/\(tenant)/jobs/\(jobID.uuidString)",
                details: [("job_id", .id(jobID)), ("remote_database_id", .id(job.remoteDatabaseID)), ("remote_database", .string(remote))])
        }
    }
}
