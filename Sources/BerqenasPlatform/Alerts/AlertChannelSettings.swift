import Foundation
import NIOSSL

/// A channel's settings as the API takes them: `email` uses host … to (password secret), `slack` uses
/// `webhook_url` (secret: whoever has it may post), `webhook` uses `url` and `secret` (the signing key).
/// On PATCH a field given replaces the stored one; an empty string removes an optional one.
package struct AlertChannelSettings: Sendable, Codable, Equatable {
    package var host: String?
    package var port: Int?
    package var tls: String?
    package var username: String?
    package var password: String?
    package var from: String?
    package var to: [String]?
    /// PEM certificates trusted instead of the system's for this server (a private relay's CA).
    package var caCertificate: String?
    package var webhookURL: String?
    package var url: String?
    package var secret: String?

    package init(
        host: String? = nil, port: Int? = nil, tls: String? = nil, username: String? = nil, password: String? = nil, from: String? = nil,
        to: [String]? = nil, caCertificate: String? = nil, webhookURL: String? = nil, url: String? = nil, secret: String? = nil
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.caCertificate = caCertificate
        self.webhookURL = webhookURL
        self.url = url
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case host, port, tls, username, password, from, to, caCertificate = "ca_certificate", webhookURL = "webhook_url", url, secret
    }

    /// The secret field of a channel type.
    static func secretKey(of type: AlertChannelType) -> CodingKeys {
        switch type {
        case .email: .password
        case .slack: .webhookURL
        case .webhook: .secret
        }
    }

    /// The secret, for `type`.
    func secret(of type: AlertChannelType) -> String? {
        switch type {
        case .email: password
        case .slack: webhookURL
        case .webhook: secret
        }
    }

    /// Without the secret (what is stored in the clear and shown).
    func withoutSecret() -> AlertChannelSettings {
        var copy = self
        copy.password = nil
        copy.webhookURL = nil
        copy.secret = nil
        return copy
    }

    /// `patch` laid over these settings: fields it gives replace, empty strings remove.
    func patched(with patch: AlertChannelSettings) -> AlertChannelSettings {
        func pick(_ new: String?, _ old: String?) -> String? {
            guard let new else { return old }
            return new.isEmpty ? nil : new
        }
        return AlertChannelSettings(
            host: pick(patch.host, host), port: patch.port ?? port, tls: pick(patch.tls, tls), username: pick(patch.username, username),
            password: pick(patch.password, password), from: pick(patch.from, from), to: patch.to ?? to,
            caCertificate: pick(patch.caCertificate, caCertificate), webhookURL: pick(patch.webhookURL, webhookURL), url: pick(patch.url, url),
            secret: pick(patch.secret, secret))
    }

    /// Checks the settings for `type` and fills in defaults (the port from `tls`); fields of other types are
    /// refused, so a typo is not silently ignored.
    /// - Throws: 422 `validation_failed` naming the field (`settings.port`).
    func validated(for type: AlertChannelType) throws -> AlertChannelSettings {
        var settings = self
        let allowed: Set<CodingKeys> =
            switch type {
            case .email: [.host, .port, .tls, .username, .password, .from, .to, .caCertificate]
            case .slack: [.webhookURL]
            case .webhook: [.url, .secret]
            }
        for key in presentKeys where !allowed.contains(key) {
            throw Self.invalid(key, "is not a setting of a \(type.rawValue) channel")
        }
        switch type {
        case .email:
            guard let host, Self.isHostName(host) else { throw Self.invalid(.host, "is required: the SMTP server's name or address") }
            guard let security = tls.flatMap(SMTPSecurity.init(rawValue:)) else {
                throw Self.invalid(.tls, "must be none, starttls or implicit")
            }
            let port = port ?? (security == .implicit ? 465 : security == .starttls ? 587 : 25)
            guard (1...65535).contains(port) else { throw Self.invalid(.port, "must be a port number (1-65535)") }
            settings.port = port
            guard let from, MailMessage.isPlainAddress(from) else { throw Self.invalid(.from, "must be an address like alerts@example.com") }
            guard let to, (1...50).contains(to.count) else { throw Self.invalid(.to, "must list 1 to 50 addresses") }
            if let bad = to.first(where: { !MailMessage.isPlainAddress($0) }) { throw Self.invalid(.to, "'\(bad.prefix(80))' is not an address") }
            if (username == nil) != (password == nil) { throw Self.invalid(.password, "username and password go together") }
            if username != nil, security == .none {
                throw Self.invalid(.tls, "credentials are never sent in clear: use starttls or implicit with a username")
            }
            if let username, username.contains(where: \.isNewline) || username.count > 256 { throw Self.invalid(.username, "must be one line") }
            if let pem = caCertificate, (try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))?.isEmpty != false {
                throw Self.invalid(.caCertificate, "must be PEM certificates")
            }
        case .slack:
            guard let webhookURL, Self.webURL(webhookURL) != nil else {
                throw Self.invalid(.webhookURL, "is required: the incoming webhook's http(s) URL")
            }
        case .webhook:
            guard let url, Self.webURL(url) != nil else { throw Self.invalid(.url, "is required: an http(s) URL") }
            guard let secret, (16...256).contains(secret.count) else {
                throw Self.invalid(.secret, "is required: 16 to 256 characters the receiver verifies signatures with")
            }
        }
        return settings
    }

    /// The keys given.
    var presentKeys: [CodingKeys] {
        let given: [(CodingKeys, Bool)] = [
            (.host, host != nil), (.port, port != nil), (.tls, tls != nil), (.username, username != nil), (.password, password != nil),
            (.from, from != nil), (.to, to != nil), (.caCertificate, caCertificate != nil), (.webhookURL, webhookURL != nil),
            (.url, url != nil), (.secret, secret != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    /// An http or https URL with a host and no user part, or nil.
    static func webURL(_ text: String) -> URL? {
        guard text.count <= 2048, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty, components.user == nil,
            components.password == nil, let url = components.url
        else { return nil }
        return url
    }

    static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:".contains($0)) }
    }

    static func invalid(_ key: CodingKeys, _ message: String) -> PlatformError {
        PlatformError.validation(field: "settings.\(key.rawValue)", message)
    }
}
