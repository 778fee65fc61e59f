/// How a server shows itself to the operator's monitoring: `/metrics` and the log's format.
package struct OperationsSettings: Sendable, Equatable {
    /// The log's format (`BERQENAS_LOG_FORMAT`).
    package enum LogFormat: String, Sendable {
        /// Vapor's lines for a terminal (the default).
        case text
        /// One JSON object per line.
        case json
    }

    /// `/metrics` on the main listener, for callers with `Authorization: Bearer <token>` (`BERQENAS_METRICS_TOKEN`).
    package var metricsToken: String?
    /// A separate listener answering only `/metrics` (`BERQENAS_METRICS_ADDRESS`, `host:port`).
    package var metricsAddress: (host: String, port: Int)?
    package var logFormat: LogFormat = .text

    /// Whether this server serves `/metrics` at all (off unless a token or an address is given).
    package var metricsEnabled: Bool { metricsToken != nil || metricsAddress != nil }

    static let minimumTokenLength = 16

    package static func == (left: OperationsSettings, right: OperationsSettings) -> Bool {
        left.metricsToken == right.metricsToken && left.metricsAddress?.host == right.metricsAddress?.host
            && left.metricsAddress?.port == right.metricsAddress?.port && left.logFormat == right.logFormat
    }

    /// Reads the variables; a value that cannot be used is refused naming its variable.
    static func fromEnvironment(_ environment: [String: String]) throws -> OperationsSettings {
        var settings = OperationsSettings()
        if let token = environment["BERQENAS_METRICS_TOKEN"], !token.isEmpty {
            guard token.count >= minimumTokenLength, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw PlatformError.invalidConfiguration(
                    "BERQENAS_METRICS_TOKEN must be at least \(minimumTokenLength) characters without spaces (a random secret)")
            }
            settings.metricsToken = token
        }
        if let address = environment["BERQENAS_METRICS_ADDRESS"], !address.isEmpty {
            guard let parsed = hostAndPort(address) else {
                throw PlatformError.invalidConfiguration("BERQENAS_METRICS_ADDRESS must be host:port, like 127.0.0.1:9464 or [::1]:9464")
            }
            settings.metricsAddress = parsed
        }
        if let format = environment["BERQENAS_LOG_FORMAT"], !format.isEmpty {
            guard let parsed = LogFormat(rawValue: format) else {
                throw PlatformError.invalidConfiguration("BERQENAS_LOG_FORMAT must be text or json, got '\(format.prefix(40))'")
            }
            settings.logFormat = parsed
        }
        return settings
    }

    /// `host:port` or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains("/"), !host.contains(" ") else { return nil }
        return (host, port)
    }
}
