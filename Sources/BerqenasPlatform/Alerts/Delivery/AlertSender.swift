import AsyncHTTPClient
import DatabaseConnectors
import Foundation
import NIOCore
import NIOHTTP1

/// Why a delivery attempt failed; `permanent` when another attempt would fail the same way.
package struct AlertSendFailure: Error, CustomStringConvertible, Sendable {
    package let message: String
    package let permanent: Bool

    package var description: String { message }
}

/// Sends one message to one channel: opens the channel's secret, checks where it goes against the
/// destination policy (a tenant's channel may not reach the hub's loopback, link-local or metadata addresses
/// unless an operator allowed them; admins' platform channels may), and speaks SMTP or HTTP.
struct AlertSender: Sendable {
    let secrets: SecretBox
    let destinations: DestinationPolicy

    static let userAgent = "Berqenas-Alerts/1"

    func send(_ message: AlertMessage, deliveryID: UUID, through channel: AlertChannel) async throws(AlertSendFailure) {
        do {
            let settings = try AlertChannels.settings(of: channel, secrets: secrets)
            switch channel.type {
            case .email: try await sendMail(message, settings: settings, tenantChannel: channel.tenantID != nil)
            case .slack:
                try await post(ChannelPayloads.slack(message), to: settings.webhookURL ?? "", headers: [], tenantChannel: channel.tenantID != nil)
            case .webhook:
                let body = Array(ChannelPayloads.webhook(message, deliveryID: deliveryID).text.utf8)
                let headers = [
                    (WebhookSignature.header, WebhookSignature.value(body: body, secret: settings.secret ?? "", time: Date())),
                    ("X-Berqenas-Delivery", deliveryID.uuidString), ("X-Berqenas-Event", "alert.\(message.kind.rawValue)"),
                ]
                try await post(body, to: settings.url ?? "", headers: headers, tenantChannel: channel.tenantID != nil)
            }
        } catch let failure as AlertSendFailure {
            throw failure
        } catch let error as SMTPError {
            throw AlertSendFailure(message: error.message, permanent: error.permanent)
        } catch let error as PlatformError {
            // A denied destination or an unreadable secret stays so until someone changes the channel.
            throw AlertSendFailure(message: error.message, permanent: error.code != "destination_unresolved")
        } catch {
            throw AlertSendFailure(message: String(describing: error), permanent: false)
        }
    }

    private func sendMail(_ message: AlertMessage, settings: AlertChannelSettings, tenantChannel: Bool) async throws {
        let host = settings.host ?? ""
        let port = settings.port ?? 25
        let address = tenantChannel ? try await destinations.check(host: host, port: port, tenantNetwork: nil) : nil
        let mail = MailMessage(
            from: settings.from ?? "", to: settings.to ?? [], subject: "[Berqenas] \(message.headline)", text: message.plainText,
            html: message.html, date: Date())
        let server = SMTPServer(
            host: host, address: address, port: port, security: SMTPSecurity(rawValue: settings.tls ?? "") ?? .starttls,
            username: settings.username, password: settings.password, trustedCertificatesPEM: settings.caCertificate)
        try await SMTPClient.send(mail, through: server)
    }

    private func post(_ payload: JSONValue, to url: String, headers: [(String, String)], tenantChannel: Bool) async throws {
        try await post(Array(payload.text.utf8), to: url, headers: headers, tenantChannel: tenantChannel)
    }

    /// POSTs a JSON body; a 2xx answer is a delivery. A plain-http URL is connected to at the address the
    /// policy checked (its name goes in `Host`); an https one by name, its certificate checked against it.
    private func post(_ body: [UInt8], to text: String, headers: [(String, String)], tenantChannel: Bool) async throws {
        guard let url = AlertChannelSettings.webURL(text), var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
            let host = components.host
        else { throw AlertSendFailure(message: "the channel's URL is not an http(s) URL", permanent: true) }
        let secure = components.scheme?.lowercased() == "https"
        let port = components.port ?? (secure ? 443 : 80)
        var hostHeader: String?
        if tenantChannel {
            let address = try await destinations.check(host: host, port: port, tenantNetwork: nil)
            if !secure {
                hostHeader = components.port.map { "\(host):\($0)" } ?? host
                components.host = address.contains(":") ? "[\(address)]" : address
            }
        }
        var request = HTTPClientRequest(url: components.url?.absoluteString ?? text)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        if let hostHeader { request.headers.replaceOrAdd(name: "Host", value: hostHeader) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        // A client per message (alerts are few): no redirects followed (a redirect could lead past the policy).
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30))))
        let status: Int
        var excerpt = ""
        do {
            let response = try await client.execute(request, timeout: .seconds(40))
            status = Int(response.status.code)
            // The answer is judged by its status; its body is read (a little) only to say why it refused, and
            // only to an admin: a tenant's channel may point inside the operator's network, whose answers are
            // not the tenant's to read.
            if !(200..<300).contains(status), !tenantChannel, let body = try? await response.body.collect(upTo: 64 * 1024) {
                excerpt = String(decoding: body.readableBytesView.prefix(200), as: UTF8.self)
            }
        } catch {
            try? await client.shutdown()
            throw AlertSendFailure(message: "could not reach \(host): \(error)", permanent: false)
        }
        try? await client.shutdown()
        guard (200..<300).contains(status) else {
            throw AlertSendFailure(
                message: "the endpoint answered \(status)\(excerpt.isEmpty ? "" : ": \(excerpt)")",
                permanent: (400..<500).contains(status) && status != 408 && status != 429)
        }
    }
}
