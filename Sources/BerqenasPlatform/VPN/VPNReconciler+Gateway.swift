import BerqenasNetwork
import FluentKit
import Foundation
import SQLKit

/// One hub split across servers (issue 19): the server with the gateway role applies the VPN; the others
/// (api, worker) reach it through the PostgreSQL system database. A change made elsewhere is announced on
/// `channel` and wakes the gateway's pass at once (the periodic pass stays the safety net); the gateway
/// records what it found (`GatewayReport`) for the others to show; a peer check asked elsewhere is queued
/// (`GatewayCheck`) and answered by the gateway, which has the tunnels. On SQLite (one server, never split)
/// none of this runs.
extension VPNReconciler {
    /// The LISTEN/NOTIFY channel that wakes the gateway.
    package static let channel = "berqenas_vpn"
    /// A gateway whose last pass is older than this is taken for gone (it reports every pass, 5 s apart).
    static let reportsLastFor: TimeInterval = 30
    /// How long a server waits for the gateway to answer a check (the check's own timeout is 3 s).
    static let checkWait: Duration = .seconds(6)
    /// Checks asked this long ago are still answered (servers' clocks may differ a little), at most
    /// `checksPerPass` a pass, the newest first.
    static let checksAnsweredWithin: TimeInterval = 60
    static let checksPerPass = 50
    /// The least time between two passes, however often the gateway is woken.
    static let passSpacing: Duration = .milliseconds(200)

    /// The system database when it is PostgreSQL (a hub that can be split).
    nonisolated var sharedDatabase: (any SQLDatabase)? {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return nil }
        return sql
    }

    /// Whether another server applies the VPN: this one has no WireGuard and shares a PostgreSQL database.
    nonisolated var appliesElsewhere: Bool { wireGuard == nil && sharedDatabase != nil }

    /// Tells the gateway that the VPN changed (on a server that does not apply it itself).
    nonisolated func announce() async {
        guard appliesElsewhere, let sql = sharedDatabase else { return }
        do {
            try await sql.raw("SELECT pg_notify(\(literal: Self.channel), '')").run()
        } catch {
            logger.warning("VPN: could not wake the gateway (\(String(describing: error))); its periodic pass will apply the change")
        }
    }

    /// On the gateway, when another server announced a change: a pass now, comparing every peer.
    package nonisolated func changedElsewhere() {
        fullPassWanted.store(true, ordering: .relaxed)
        wake.ring()
    }

    // MARK: - The gateway's side

    /// Records this pass's findings: the heartbeat every time, a network's or publication's state when it
    /// changed.
    func recordReports(networks: [VPNNetwork]) async {
        guard wireGuard != nil, sharedDatabase != nil else { return }
        let now = Date()
        var found: [String: (state: String, error: String?)] = [
            "gateway": (backend.rawValue, nil),
            "gateway.publishing": (publishing.rawValue, nil),
        ]
        for network in networks {
            guard let id = network.id else { continue }
            let (state, error) = appliedState(of: network)
            found["network:\(id.uuidString)"] = (state.rawValue, error)
        }
        do {
            for publication in try await Publication.query(on: database).filter(\.$enabled == true).all() {
                guard let id = publication.id else { continue }
                let (state, error) = await appliedState(of: publication)
                found["publication:\(id.uuidString)"] = (state.rawValue, error)
            }
            if Set(reportedFindings.keys) != Set(found.keys) {
                // A network or publication gone (or disabled) since: its report goes too.
                try await GatewayReport.query(on: database).filter(\.$id !~ Array(found.keys)).delete()
            }
            for (subject, finding) in found.sorted(by: { $0.key < $1.key }) {
                let known = reportedFindings[subject]
                guard subject == "gateway" || known?.state != finding.state || known?.error != finding.error else { continue }
                if let row = try await GatewayReport.find(subject, on: database) {
                    (row.state, row.error, row.reportedAt) = (finding.state, finding.error, now)
                    try await row.update(on: database)
                } else {
                    try await GatewayReport(subject: subject, state: finding.state, error: finding.error, at: now).create(on: database)
                }
            }
            reportedFindings = found
        } catch {
            reportedFindings = [:]  // written again in full next pass
            logger.warning("VPN: could not record the gateway's findings: \(String(describing: error))")
        }
    }

    /// At a clean stop: the gateway says it is gone, so the other servers stop showing its last findings at once.
    func withdrawReports() async {
        guard wireGuard != nil, sharedDatabase != nil else { return }
        do {
            try await GatewayReport.query(on: database).filter(\.$id == "gateway").set(\.$reportedAt, to: Date(timeIntervalSince1970: 0)).update()
        } catch {
            logger.warning("VPN: could not withdraw the gateway's findings: \(String(describing: error))")
        }
    }

    /// Answers the checks other servers asked in the last few seconds: each a TCP connect through the tunnel.
    nonisolated func answerChecks() async {
        guard wireGuard != nil, sharedDatabase != nil else { return }
        do {
            let since = Date().addingTimeInterval(-Self.checksAnsweredWithin)
            let pending = try await GatewayCheck.query(on: database).filter(\.$answeredAt == nil).filter(\.$requestedAt >= since)
                .sort(\.$requestedAt, .descending).limit(Self.checksPerPass).all()
            await withTaskGroup(of: Void.self) { group in
                for check in pending {
                    group.addTask { [database, logger] in
                        let found = await PeerReachability.probe(check.address, port: check.port)
                        (check.answeredAt, check.reachable) = (Date(), found.reachable)
                        (check.latencyMilliseconds, check.error) = (found.latencyMilliseconds, found.error)
                        do { try await check.update(on: database) } catch { logger.warning("VPN: a check's answer was not recorded: \(error)") }
                    }
                }
            }
            try await GatewayCheck.query(on: database).filter(\.$requestedAt < Date().addingTimeInterval(-3600)).delete()
        } catch {
            logger.warning("VPN: could not read the checks other servers asked: \(String(describing: error))")
        }
    }

    // MARK: - The other servers' side

    /// What a live gateway reported on `subjects`, with its heartbeat under `gateway`; nil when this server
    /// applies the VPN itself or no gateway reported within `reportsLastFor`.
    nonisolated func gatewayReports(_ subjects: [String]) async -> [String: GatewayReport]? {
        guard appliesElsewhere else { return nil }
        do {
            let rows = try await GatewayReport.query(on: database).filter(\.$id ~~ (["gateway"] + subjects)).all()
            let reports = Dictionary(rows.compactMap { row in row.id.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
            guard let heartbeat = reports["gateway"], heartbeat.reportedAt > Date().addingTimeInterval(-Self.reportsLastFor) else { return nil }
            return reports
        } catch {
            logger.warning("VPN: could not read the gateway's findings: \(String(describing: error))")
            return nil
        }
    }

    /// The state a live gateway reported on `subject`, or `fallback` (with no error) when there is none.
    nonisolated func reportedState<State: RawRepresentable<String>>(of subject: String, else fallback: State) async -> (
        state: State, error: String?
    ) {
        guard let report = await gatewayReports([subject])?[subject] else { return (fallback, nil) }
        return (State(rawValue: report.state) ?? fallback, report.error)
    }

    /// The backend and publishing mode: this server's own, or those a live gateway reported.
    package nonisolated func effectiveModes() async -> (backend: VPNSettings.Backend, publishing: PublishingMode) {
        guard let reports = await gatewayReports(["gateway.publishing"]) else { return (backend, publishing) }
        return (
            reports["gateway"].flatMap { VPNSettings.Backend(rawValue: $0.state) } ?? backend,
            reports["gateway.publishing"].flatMap { PublishingMode(rawValue: $0.state) } ?? publishing
        )
    }

    /// A check of `address:port` asked of the gateway server; nil when this server applies the VPN itself (the
    /// caller probes). Without a live gateway there is no tunnel to check through: 503.
    nonisolated func checkThroughGateway(_ address: String, port: Int) async throws -> PeerReachability? {
        guard appliesElsewhere else { return nil }
        guard await gatewayReports([]) != nil else {
            throw PlatformError(
                code: "gateway_unavailable", status: 503,
                message:
                    "no gateway has applied the VPN in the last \(Int(Self.reportsLastFor)) s (a server with the gateway role, "
                    + "run as root or with NET_ADMIN and a WireGuard backend): the check needs its tunnels")
        }
        let check = GatewayCheck(address: address, port: port, at: Date())
        try await check.create(on: database)
        await announce()
        let id = try check.requireID()
        let deadline = ContinuousClock.now + Self.checkWait
        while ContinuousClock.now < deadline {
            if let answered = try await GatewayCheck.find(id, on: database), answered.answeredAt != nil {
                return PeerReachability(
                    reachable: answered.reachable ?? false, latencyMilliseconds: answered.latencyMilliseconds, error: answered.error)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PlatformError(
            code: "gateway_unavailable", status: 503,
            message: "the gateway server did not answer the check within \(Self.checkWait.components.seconds) s: is it running?")
    }
}
