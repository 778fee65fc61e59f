import BerqenasTestSupport
import DatabaseConnectors
import FluentKit
import Foundation
import Testing
import Vapor

@testable import BerqenasPlatform
@testable import BerqenasServer

/// A rule fires once when its condition starts to hold, stays quiet while it holds, and sends one
/// "resolved" when it clears, however many passes (or servers) look at it at once.
struct AlertRuleTests {
    @Test(arguments: HubEngine.available)
    func aRuleFiresOnceHoldsAndResolvesOnceUnderConcurrentPasses(_ engine: HubEngine) async throws {
        try await SyncFixture.with(engine) { fixture in
            let hub = fixture.hub
            let alerts = hub.app.berqenas.platform.alerts
            let base = "/api/v1/tenants/\(fixture.tenant)"
            let channel = try await hub.send(
                .POST, "\(base)/alert-channels", token: fixture.token,
                json: [
                    "name": "hook", "type": "webhook",
                    "settings": ["url": "http://127.0.0.1:\(try FreePort.reserveAndRelease())/hook", "secret": "0123456789abcdef"],
                ]
            ).jsonObject()
            let channelID = try #require(channel["id"] as? String)
            let created = try await hub.send(
                .POST, "\(base)/alert-rules", token: fixture.token,
                json: ["name": "erp fails", "condition": "job_failed", "remote_database_id": fixture.remoteID, "channel_ids": [channelID]])
            #expect(created.status == .created, "\(created.body.string)")
            let ruleID = try #require(try created.jsonObject()["id"] as? String)

            /// Two passes at once, as two servers would run them.
            func passes() async throws {
                async let first: Void = alerts.monitor.evaluate(now: Date())
                async let second: Void = alerts.monitor.evaluate(now: Date())
                _ = try await (first, second)
            }
            func count(_ kind: AlertDeliveryKind) async throws -> Int {
                try await AlertDelivery.query(on: hub.app.db).filter(\.$kind == kind).count()
            }

            try await fixture.sync("full")
            try await passes()
            #expect(try await count(.firing) == 0)

            try await fixture.cloudWrite("orders", [.upsert(Row([.integer(9), .integer(1), .decimal("1.00"), .text("cloud only")]))])
            try await fixture.sync("verify", tables: ["orders"], expect: "failed")
            try await passes()
            #expect(try await count(.firing) == 1)
            let rule = try await hub.send(.GET, "\(base)/alert-rules/\(ruleID)", token: fixture.token).jsonObject()
            #expect(rule["firing"] as? [String] == ["remote-database:\(fixture.remoteID)"], "\(rule)")
            let delivery = try #require(try await AlertDelivery.query(on: hub.app.db).first())
            let message = try JSONDecoder().decode(AlertMessage.self, from: Data(delivery.messageJSON.utf8))
            #expect(message.title.contains("sync job failed") && message.summary.contains("sides_differ"), "\(message)")

            // Holding: another failure and more passes send nothing new.
            try await fixture.sync("verify", tables: ["orders"], expect: "failed")
            try await passes()
            #expect(try await count(.firing) == 1)

            // Clearing: a later job succeeds; one "resolved", however many passes.
            try await fixture.sync("full")
            try await passes()
            try await passes()
            #expect(try await count(.firing) == 1)
            #expect(try await count(.resolved) == 1)
            let cleared = try await hub.send(.GET, "\(base)/alert-rules/\(ruleID)", token: fixture.token).jsonObject()
            #expect(cleared["firing"] as? [String] == [])
            let open = try await AlertIncident.query(on: hub.app.db).filter(\.$resolvedAt == nil).count()
            #expect(open == 0)
        }
    }

    @Test(arguments: HubEngine.available)
    func rulesAndChannelsRefuseBadInputNamingTheField(_ engine: HubEngine) async throws {
        try await TestHub.run(try await engine.makeMode()) { hub in
            let admin = try await hub.token()
            let acme = TenantTests.unique("acme")
            let other = TenantTests.unique("beta")
            try await hub.createTenant(acme, adminToken: admin)
            try await hub.createTenant(other, adminToken: admin)
            let beta = try await hub.send(
                .POST, "/api/v1/tenants/\(other)/alert-channels", token: admin,
                json: ["name": "b", "type": "slack", "settings": ["webhook_url": "https://hooks.example.test/b"]]
            ).jsonObject()
            let betaID = beta["id"] as? String ?? ""
            let credentialsInClear: [String: any Sendable] = [
                "host": "smtp.example.test", "tls": "none", "username": "u", "password": "p", "from": "a@example.test", "to": ["b@example.test"],
            ]
            let noRecipients: [String: any Sendable] = ["host": "smtp.example.test", "tls": "starttls", "from": "a@example.test"]
            let slackWithURL: [String: any Sendable] = ["url": "https://x.example.test"]
            let ftpHook: [String: any Sendable] = ["url": "ftp://x.example.test", "secret": "0123456789abcdef"]
            let shortSecret: [String: any Sendable] = ["url": "https://x.example.test", "secret": "short"]
            let none: [String: any Sendable] = [:]
            let noChannels: [String] = []
            let cases: [(String, [String: any Sendable], String)] = [
                ("alert-channels", ["name": "m", "type": "email", "settings": credentialsInClear], "settings.tls"),
                ("alert-channels", ["name": "m", "type": "email", "settings": noRecipients], "settings.to"),
                ("alert-channels", ["name": "s", "type": "slack", "settings": slackWithURL], "settings.url"),
                ("alert-channels", ["name": "w", "type": "webhook", "settings": ftpHook], "settings.url"),
                ("alert-channels", ["name": "w", "type": "webhook", "settings": shortSecret], "settings.secret"),
                ("alert-channels", ["name": "p", "type": "pager", "settings": none], "type"),
                ("alert-rules", ["name": "r", "condition": "job_failed", "threshold": 3, "channel_ids": [betaID]], "threshold"),
                ("alert-rules", ["name": "r", "condition": "job_failed", "channel_ids": [betaID]], "channel_ids"),
                ("alert-rules", ["name": "r", "condition": "sometimes", "channel_ids": noChannels], "condition"),
            ]
            for (path, body, field) in cases {
                let response = try await hub.send(.POST, "/api/v1/tenants/\(acme)/\(path)", token: admin, json: body)
                #expect(response.status == .unprocessableEntity, "\(body): \(response.body.string)")
                #expect(
                    try response.jsonObject()["error"].flatMap { ($0 as? [String: Any])?["details"] as? [String: Any] }?["field"] as? String == field,
                    "\(response.body.string)")
            }
            #expect(try await AlertChannel.query(on: hub.app.db).count() == 1)
        }
    }

    @Test func aChannelsSecretIsSealedNeverShownAndKeptWhenOtherSettingsChange() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            let secret = "whsec-" + UUID().uuidString
            let created = try await hub.send(
                .POST, "/api/v1/tenants/acme/alert-channels", token: admin,
                json: ["name": "hook", "type": "webhook", "settings": ["url": "https://hooks.example.test/a", "secret": secret]])
            #expect(created.status == .created)
            #expect(!created.body.string.contains(secret))
            let id = try #require(try created.jsonObject()["id"] as? String)
            let again = try await hub.send(
                .POST, "/api/v1/tenants/acme/alert-channels", token: admin,
                json: ["name": "hook", "type": "webhook", "settings": ["url": "https://hooks.example.test/c", "secret": secret]])
            #expect(again.status == .conflict && again.errorCode == "alert_channel_exists", "\(again.body.string)")
            let renamed = try await hub.send(
                .PATCH, "/api/v1/tenants/acme/alert-channels/\(id)", token: admin,
                json: ["name": "hook 2", "settings": ["url": "https://hooks.example.test/b"]])
            #expect(renamed.status == .ok, "\(renamed.body.string)")
            for response in [renamed, try await hub.send(.GET, "/api/v1/tenants/acme/alert-channels", token: admin)] {
                #expect(!response.body.string.contains(secret))
            }
            let stored = try #require(try await AlertChannel.find(UUID(uuidString: id), on: hub.app.db))
            #expect(stored.secretSealed?.hasPrefix("v1:") == true && !stored.settingsJSON.contains(secret))
            let opened = try AlertChannels.settings(of: stored, secrets: hub.app.berqenas.platform.secrets)
            #expect(opened.secret == secret && opened.url == "https://hooks.example.test/b")
            let retyped = try await hub.send(.PATCH, "/api/v1/tenants/acme/alert-channels/\(id)", token: admin, json: ["type": "slack"])
            #expect(retyped.status == .unprocessableEntity)

            // The attack: point a mail channel's stored password at a server of one's own.
            let mailSettings: [String: any Sendable] = [
                "host": "smtp.example.test", "tls": "starttls", "username": "alerts", "password": "relay-password", "from": "a@example.test",
                "to": ["b@example.test"],
            ]
            let mail = try await hub.send(
                .POST, "/api/v1/tenants/acme/alert-channels", token: admin, json: ["name": "mail", "type": "email", "settings": mailSettings])
            let mailID = try #require(try mail.jsonObject()["id"] as? String)
            let elsewhere: [String: any Sendable] = ["host": "smtp.attacker.test"]
            let moved = try await hub.send(.PATCH, "/api/v1/tenants/acme/alert-channels/\(mailID)", token: admin, json: ["settings": elsewhere])
            #expect(moved.status == .unprocessableEntity && moved.body.string.contains("settings.password"), "\(moved.body.string)")
            let withPassword: [String: any Sendable] = ["host": "smtp2.example.test", "password": "new-password"]
            let renewed = try await hub.send(
                .PATCH, "/api/v1/tenants/acme/alert-channels/\(mailID)", token: admin, json: ["settings": withPassword])
            #expect(renewed.status == .ok, "\(renewed.body.string)")
        }
    }

    /// The attack: users reach for channels, rules and deliveries that are not theirs.
    @Test func tenantUsersReachOnlyTheirOwnAlertsAndOnlyAdminsThePlatforms() async throws {
        try await TestHub.run { hub in
            let admin = try await hub.token()
            try await hub.createTenant("acme", adminToken: admin)
            try await hub.createTenant("beta", adminToken: admin)
            let acmeAdmin = try await hub.createUser("ada", role: "tenant_admin", tenant: "acme", token: admin)
            let acmeViewer = try await hub.createUser("vic", role: "tenant_viewer", tenant: "acme", token: admin)
            let betaChannel = try await hub.send(
                .POST, "/api/v1/tenants/beta/alert-channels", token: admin,
                json: ["name": "b", "type": "slack", "settings": ["webhook_url": "https://hooks.example.test/b"]]
            ).jsonObject()
            let betaID = try #require(betaChannel["id"] as? String)
            let slack: [String: any Sendable] = ["name": "s", "type": "slack", "settings": ["webhook_url": "https://hooks.example.test/s"]]
            let empty: [String: any Sendable] = [:]
            let rename: [String: any Sendable] = ["name": "mine"]
            let mine = "/api/v1/tenants/acme/alert-channels/\(betaID)"
            var refused: [(HTTPMethod, String, String, [String: any Sendable], UInt)] = []
            refused.append((.GET, "/api/v1/tenants/beta/alert-channels", acmeAdmin, empty, 403))
            refused.append((.POST, "/api/v1/tenants/beta/alert-channels", acmeAdmin, slack, 403))
            refused.append((.GET, mine, acmeAdmin, empty, 404))
            refused.append((.PATCH, mine, acmeAdmin, rename, 404))
            refused.append((.DELETE, mine, acmeAdmin, empty, 404))
            refused.append((.POST, mine + "/test", acmeAdmin, empty, 404))
            refused.append((.POST, "/api/v1/tenants/acme/alert-channels", acmeViewer, slack, 403))
            refused.append((.POST, "/api/v1/alert-channels", acmeAdmin, slack, 403))
            for path in ["/api/v1/alert-channels", "/api/v1/alert-rules", "/api/v1/alert-deliveries", "/api/v1/tenants/beta/alert-deliveries"] {
                refused.append((.GET, path, acmeAdmin, empty, 403))
            }
            for (method, path, token, body, status) in refused {
                let response = try await hub.send(method, path, token: token, json: body)
                #expect(response.status.code == status, "\(method) \(path): \(response.status) \(response.body.string)")
            }
            #expect(try await hub.send(.GET, "/api/v1/tenants/acme/alert-channels", token: acmeViewer).status == .ok)
            #expect(try await hub.send(.POST, "/api/v1/tenants/acme/alert-channels", token: acmeAdmin, json: slack).status == .created)
            #expect(try await hub.send(.POST, "/api/v1/alert-channels", token: admin, json: slack).status == .created)
            // A platform channel is the admins': a tenant's rule cannot name it.
            let platformChannels = try await hub.send(.GET, "/api/v1/alert-channels", token: admin).jsonArray()
            let platformID = try #require(platformChannels.first?["id"] as? String)
            let rule = try await hub.send(
                .POST, "/api/v1/tenants/acme/alert-rules", token: acmeAdmin,
                json: ["name": "r", "condition": "job_failed", "channel_ids": [platformID]])
            #expect(rule.status == .unprocessableEntity)
            #expect(try await AlertChannel.query(on: hub.app.db).count() == 3)
        }
    }
}
