import FluentKit
import Foundation

/// What `POST …/alert-channels` takes; on PATCH every field is optional and `type` cannot change.
package struct AlertChannelRequest: Sendable, Codable {
    package var name: String?
    package var type: String?
    package var settings: AlertChannelSettings?

    package init(name: String? = nil, type: String? = nil, settings: AlertChannelSettings? = nil) {
        self.name = name
        self.type = type
        self.settings = settings
    }
}

/// A tenant's (or, with no tenant, the platform's) alert channels.
package struct AlertChannels: Sendable {
    let database: any Database
    let secrets: SecretBox
    let sender: AlertSender

    static func secretContext(_ id: UUID) -> String { "alert-channel:\(id.uuidString)" }

    package func create(_ request: AlertChannelRequest, tenantID: UUID?) async throws -> AlertChannel {
        let name = try AlertNames.check(request.name)
        guard let typeText = request.type, let type = AlertChannelType(rawValue: typeText) else {
            throw PlatformError.validation(field: "type", "must be email, slack or webhook")
        }
        guard let given = request.settings else { throw PlatformError.validation(field: "settings", "is required") }
        let settings = try given.validated(for: type)
        try await checkNameFree(name, tenantID: tenantID, except: nil)
        let channel = AlertChannel()
        channel.id = UUID()
        channel.tenantID = tenantID
        channel.name = name
        channel.type = type
        try store(settings, in: channel)
        try await channel.create(on: database)
        return channel
    }

    package func list(tenantID: UUID?) async throws -> [AlertChannel] {
        try await scoped(tenantID).sort(\.$name).all()
    }

    package func find(_ id: UUID, tenantID: UUID?) async throws -> AlertChannel {
        guard let channel = try await scoped(tenantID).filter(\.$id == id).first() else {
            throw PlatformError.notFound("alert channel", id.uuidString)
        }
        return channel
    }

    package func update(_ id: UUID, with request: AlertChannelRequest, tenantID: UUID?) async throws -> AlertChannel {
        let channel = try await find(id, tenantID: tenantID)
        if let type = request.type, type != channel.type.rawValue {
            throw PlatformError.validation(field: "type", "cannot change: create another channel")
        }
        if let name = request.name {
            channel.name = try AlertNames.check(name)
            try await checkNameFree(channel.name, tenantID: tenantID, except: id)
        }
        if let patch = request.settings {
            let stored = try Self.settings(of: channel, secrets: secrets)
            // The password goes only where it was meant to: a new server or user name needs it given again.
            if channel.type == .email, stored.password != nil, patch.password == nil,
                [
                    patch.host.map { $0 != stored.host }, patch.port.map { $0 != stored.port }, patch.tls.map { $0 != stored.tls },
                    patch.username.map { $0 != stored.username },
                ].contains(true)
            {
                throw AlertChannelSettings.invalid(.password, "give the password again when the host, port, tls or username changes")
            }
            try store(stored.patched(with: patch).validated(for: channel.type), in: channel)
        }
        try await channel.save(on: database)
        return channel
    }

    package func delete(_ id: UUID, tenantID: UUID?) async throws {
        let channel = try await find(id, tenantID: tenantID)
        try await channel.delete(on: database)
    }

    /// Sends a test message now and records it as a delivery (never retried: the caller sees the outcome).
    package func test(_ id: UUID, tenantID: UUID?, tenantName: String?, publicURL: String?) async throws -> AlertDelivery {
        let channel = try await find(id, tenantID: tenantID)
        let now = Date()
        let message = AlertMessage(
            kind: .test, title: "alert channel '\(channel.name)' works",
            summary: "This is a test message from Berqenas: alerts sent to this channel arrive here.",
            facts: [.init(name: "Channel", value: "\(channel.name) (\(channel.type.rawValue))")]
                + (tenantName.map { [.init(name: "Tenant", value: $0)] } ?? []),
            action: "Nothing to do.", link: publicURL.map { AlertLinks.join($0, tenantName.map { "/#/tenants/\($0)/alerts" } ?? "/#/alerts") },
            tenant: tenantName, rule: nil, subject: "alert-channel:\(id.uuidString)", detailsJSON: "{}", occurredAt: now)
        let delivery = AlertDelivery()
        delivery.id = UUID()
        delivery.tenantID = tenantID
        delivery.channelID = id
        delivery.kind = .test
        delivery.messageJSON = try message.stored()
        delivery.attempts = 1
        delivery.nextAttemptAt = now
        delivery.giveUpAt = now
        delivery.createdAt = now
        let deliveryID = try delivery.requireID()
        do {
            try await sender.send(message, deliveryID: deliveryID, through: channel)
            delivery.status = .delivered
            delivery.deliveredAt = Date()
            HubMeasures.alertAttempt("delivered")
        } catch {
            delivery.status = .failed
            delivery.lastError = error.message
            HubMeasures.alertAttempt("failed")
        }
        try await delivery.create(on: database)
        return delivery
    }

    /// A channel's settings with its secret opened.
    static func settings(of channel: AlertChannel, secrets: SecretBox) throws -> AlertChannelSettings {
        var settings = try StoredJSON.value(AlertChannelSettings.self, channel.settingsJSON)
        if let sealed = channel.secretSealed {
            let secret = try secrets.open(sealed, context: secretContext(try channel.requireID()))
            switch channel.type {
            case .email: settings.password = secret
            case .slack: settings.webhookURL = secret
            case .webhook: settings.secret = secret
            }
        }
        return settings
    }

    private func store(_ settings: AlertChannelSettings, in channel: AlertChannel) throws {
        channel.settingsJSON = try StoredJSON.text(settings.withoutSecret())
        channel.secretSealed = try settings.secret(of: channel.type).map {
            try secrets.seal($0, context: Self.secretContext(try channel.requireID()))
        }
    }

    private func scoped(_ tenantID: UUID?) -> QueryBuilder<AlertChannel> {
        AlertScope.query(AlertChannel.self, tenantID, on: database)
    }

    private func checkNameFree(_ name: String, tenantID: UUID?, except: UUID?) async throws {
        try await AlertScope.checkNameFree(AlertChannel.self, name, tenantID: tenantID, except: except, on: database)
    }
}

/// Channels and rules belong to a tenant (or, with none, to the platform) and are named once within it.
protocol AlertScoped: Model where IDValue == UUID {
    var tenantIDField: OptionalFieldProperty<Self, UUID> { get }
    var nameField: FieldProperty<Self, String> { get }
    /// "alert channel", "alert rule".
    static var what: String { get }
}

extension AlertChannel: AlertScoped {
    var tenantIDField: OptionalFieldProperty<AlertChannel, UUID> { $tenantID }
    var nameField: FieldProperty<AlertChannel, String> { $name }
    static let what = "alert channel"
}

extension AlertRule: AlertScoped {
    var tenantIDField: OptionalFieldProperty<AlertRule, UUID> { $tenantID }
    var nameField: FieldProperty<AlertRule, String> { $name }
    static let what = "alert rule"
}

enum AlertScope {
    static func query<M: AlertScoped>(_ type: M.Type, _ tenantID: UUID?, on database: any Database) -> QueryBuilder<M> {
        let query = M.query(on: database)
        return tenantID.map { query.filter(\.tenantIDField == $0) } ?? query.filter(\.tenantIDField == nil)
    }

    /// - Throws: 409 `alert_channel_exists` / `alert_rule_exists` when the name is taken in the scope.
    static func checkNameFree<M: AlertScoped>(
        _ type: M.Type, _ name: String, tenantID: UUID?, except: UUID?, on database: any Database
    ) async throws {
        var query = Self.query(type, tenantID, on: database).filter(\.nameField == name)
        if let except { query = query.filter(\._$id != except) }
        if try await query.first() != nil {
            throw PlatformError.conflict("\(M.what.replacingOccurrences(of: " ", with: "_"))_exists", "an \(M.what) named '\(name)' exists")
        }
    }
}

/// The names of channels and rules: 1 to 100 characters on one line.
enum AlertNames {
    static func check(_ name: String?) throws -> String {
        guard let name = name?.trimmingCharacters(in: .whitespaces), (1...100).contains(name.count), !name.contains(where: \.isNewline) else {
            throw PlatformError.validation(field: "name", "is required: 1 to 100 characters on one line")
        }
        return name
    }
}

/// Links from a message to the panel's pages (`BERQENAS_PUBLIC_URL` + the page's path).
enum AlertLinks {
    static func join(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }
}
