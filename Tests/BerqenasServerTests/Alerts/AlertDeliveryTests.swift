import BerqenasTestSupport
import FluentKit
import Foundation
import Synchronization
import Testing
import Vapor

@testable import BerqenasPlatform
@testable import BerqenasServer

/// Queued deliveries go out once each, however many dispatchers (servers) claim at the same moment.
struct AlertDeliveryTests {
    /// An HTTP endpoint on loopback that counts the deliveries it receives, by id.
    final class Receiver: Sendable {
        let app: Application
        let port: Int
        let log = ReceivedIDs()

        init() async throws {
            app = try await Application.make(.testing)
            app.logger.logLevel = .error
            port = try FreePort.reserveAndRelease()
            app.http.server.configuration.hostname = "127.0.0.1"
            app.http.server.configuration.port = port
            app.post("hook") { [log] request -> HTTPStatus in
                let id = request.headers.first(name: "X-Berqenas-Delivery") ?? "?"
                log.ids.withLock { $0.append(id) }
                return .ok
            }
            try await app.server.start(address: nil)
        }

        func close() async throws {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
    }

    final class ReceivedIDs: Sendable {
        let ids = Mutex<[String]>([])
    }

    @Test(arguments: HubEngine.available)
    func threeDispatchersClaimingTogetherSendEachDeliveryOnce(_ engine: HubEngine) async throws {
        let receiver = try await Receiver()
        do {
            try await TestHub.run(try await engine.makeMode()) { hub in
                let admin = try await hub.token()
                let name = TenantTests.unique("acme")
                try await hub.createTenant(name, adminToken: admin)
                let channel = try await hub.send(
                    .POST, "/api/v1/tenants/\(name)/alert-channels", token: admin,
                    json: [
                        "name": "hook", "type": "webhook",
                        "settings": ["url": "http://127.0.0.1:\(receiver.port)/hook", "secret": "0123456789abcdef"],
                    ]
                ).jsonObject()
                let channelID = try #require(UUID(uuidString: channel["id"] as? String ?? ""))
                let tenant = try await hub.app.berqenas.platform.tenants.find(name)
                let message = AlertMessage(
                    kind: .firing, title: "t", summary: "s", facts: [], action: "a", link: nil, tenant: "acme", rule: nil, subject: "x",
                    detailsJSON: "{}", occurredAt: Date())
                let now = Date()
                for _ in 0..<30 {
                    let delivery = AlertDelivery()
                    delivery.tenantID = tenant.id
                    delivery.channelID = channelID
                    delivery.kind = .firing
                    delivery.messageJSON = try message.stored()
                    delivery.status = .pending
                    delivery.attempts = 0
                    delivery.nextAttemptAt = now
                    delivery.giveUpAt = now.addingTimeInterval(3600)
                    delivery.createdAt = now
                    try await delivery.create(on: hub.app.db)
                }
                // The hub's own dispatcher runs too: three claimants.
                let alerts = hub.app.berqenas.platform.alerts
                let others = ["server-b", "server-c"].map {
                    AlertDispatcher(database: hub.app.db, sender: alerts.dispatcher.sender, settings: alerts.settings, serverID: $0, bell: Doorbell())
                }
                async let b = others[0].dispatchDue(now: Date())
                async let c = others[1].dispatchDue(now: Date())
                _ = try await (b, c)
                try await eventually("every delivery delivered") {
                    try await AlertDelivery.query(on: hub.app.db).filter(\.$status == .delivered).count() == 30
                }
                let ids = receiver.log.ids.withLock { $0 }
                #expect(ids.count == 30 && Set(ids).count == 30, "\(ids.count) received, \(Set(ids).count) distinct")
                #expect(try await AlertDelivery.query(on: hub.app.db).all().allSatisfy { $0.attempts == 1 && $0.leaseOwner == nil })
            }
            try await receiver.close()
        } catch {
            try? await receiver.close()
            throw error
        }
    }
}
