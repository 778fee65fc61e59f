import FluentKit
import Foundation
import Logging
import SQLKit

/// Sends the queued deliveries: claims those due (a lease, taken by one conditional update, so with several
/// servers each delivery is sent by one), sends them a few at a time, and records the outcome: delivered,
/// retried after a pause that doubles, or given up (a permanent refusal, or past `give_up_at`). A server
/// that dies while sending leaves its claim to run out; the delivery is then sent by another (a receiver
/// may see it twice then: webhooks carry `X-Berqenas-Delivery` to drop the repeat).
package final class AlertDispatcher: Sendable {
    let database: any Database
    let sender: AlertSender
    let settings: AlertSettings
    let serverID: String
    private let loop: PeriodicLoop
    private let logger = Logger(label: "berqenas.alerts")
    /// Claimed and sent together, so that each is sent well within its lease (an attempt takes at most about
    /// 70 s: an SMTP dialogue's 60 s after a 10 s connect).
    static let batch = 4

    init(database: any Database, sender: AlertSender, settings: AlertSettings, serverID: String, bell: Doorbell) {
        self.database = database
        self.sender = sender
        self.settings = settings
        self.serverID = serverID
        self.loop = PeriodicLoop(bell: bell)
    }

    package func start() {
        loop.start(interval: settings.dispatchInterval) { [self] in
            do {
                while try await dispatchDue(now: Date()) == Self.batch {}
            } catch {
                logger.warning("alert deliveries could not be read: \(String(describing: error))")
            }
        }
    }

    package func stop() async { await loop.stop() }

    /// Claims and sends what is due; returns how many it claimed.
    @discardableResult
    package func dispatchDue(now: Date) async throws -> Int {
        let claimed = try await claim(now: now)
        guard !claimed.isEmpty else { return 0 }
        let deliveries = try await AlertDelivery.query(on: database).filter(\.$id ~~ claimed).all()
        await withTaskGroup(of: Void.self) { group in
            for delivery in deliveries { group.addTask { await self.attempt(delivery) } }
        }
        return claimed.count
    }

    /// The deliveries due now that this server now holds. Reading first, and writing only when something is
    /// due, keeps an idle hub from writing every few seconds.
    private func claim(now: Date) async throws -> [UUID] {
        guard let sql = database as? any SQLDatabase else { return [] }
        struct Row: Decodable { let id: UUID }
        let due = try await sql.select().column("id").from(AlertDelivery.schema)
            .where("status", .equal, AlertDeliveryStatus.pending.rawValue).where("next_attempt_at", .lessThanOrEqual, now)
            .where { $0.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, now) }
            .orderBy("next_attempt_at").limit(Self.batch).all(decoding: Row.self).map(\.id)
        guard !due.isEmpty else { return [] }
        // The lease is taken by a conditional update: of servers claiming the same rows, one wins each.
        return try await sql.update(AlertDelivery.schema)
            .set("lease_owner", to: serverID).set("lease_until", to: now.addingTimeInterval(settings.lease))
            .where("id", .in, due)
            // Still due and still free: another server may have sent one (or put it back to wait) since the read.
            .where("status", .equal, AlertDeliveryStatus.pending.rawValue).where("next_attempt_at", .lessThanOrEqual, now)
            .where { $0.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, now) }
            .returning("id").all(decoding: Row.self).map(\.id)
    }

    private func attempt(_ delivery: AlertDelivery) async {
        do {
            let id = try delivery.requireID()
            let message = try StoredJSON.value(AlertMessage.self, delivery.messageJSON)
            guard let channel = try await AlertChannel.find(delivery.channelID, on: database) else { return }
            let outcome: AlertSendFailure?
            do {
                try await sender.send(message, deliveryID: id, through: channel)
                outcome = nil
            } catch {
                outcome = error
            }
            let now = Date()
            let attempts = delivery.attempts + 1
            var update = AlertDelivery.query(on: database).filter(\.$id == id).filter(\.$leaseOwner == serverID)
                .set(\.$attempts, to: attempts).set(\.$leaseOwner, to: nil).set(\.$leaseUntil, to: nil)
            if let outcome {
                let next = now.addingTimeInterval(settings.pause(after: attempts))
                let givingUp = outcome.permanent || next > delivery.giveUpAt
                update = update.set(\.$lastError, to: String(outcome.message.prefix(1000)))
                    .set(\.$status, to: givingUp ? .failed : .pending).set(\.$nextAttemptAt, to: next)
                HubMeasures.alertAttempt(givingUp ? "failed" : "retrying")
                logger.warning(
                    "alert delivery \(id) to '\(channel.name)' failed (attempt \(attempts)\(givingUp ? ", given up" : "")): \(outcome.message)")
            } else {
                update = update.set(\.$status, to: .delivered).set(\.$deliveredAt, to: now)
                HubMeasures.alertAttempt("delivered")
            }
            try await update.update()
        } catch {
            logger.warning("alert delivery \(delivery.id?.uuidString ?? ""): \(String(describing: error))")
        }
    }
}
