/// Where a tenant's WireGuard network stands on this hub.
package enum VPNNetworkState: String, Codable, Sendable, CaseIterable {
    /// Disabled (or never enabled).
    case down
    /// Applied to the interface.
    case up
    /// Stored and rendered, nothing applied (the `none` backend).
    case notApplied = "not_applied"
    /// Applying it failed (the reason goes with it).
    case error
}

/// Where a publication stands on this hub.
package enum PublicationState: String, Codable, Sendable, CaseIterable {
    /// Forwarding.
    case active
    case disabled
    /// Its network is down or its peer revoked.
    case waiting
    /// Stored, nothing applied (the `none` backend).
    case notApplied = "not_applied"
    /// Its rules or its relay failed (the reason goes with it).
    case error
}
