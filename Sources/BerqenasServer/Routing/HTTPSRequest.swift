import Vapor

extension Request {
    /// Whether the browser reached the hub over HTTPS, as the operator publishes it (`BERQENAS_PUBLIC_URL`) or a
    /// proxy in front of it says (`X-Forwarded-Proto`): what a Secure cookie and the headers that only a
    /// trustworthy origin may send depend on.
    var reachedOverHTTPS: Bool {
        let publicURL = berqenas.platform.configuration.alerts.publicURL
        return publicURL?.lowercased().hasPrefix("https://") == true
            || headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }
}
