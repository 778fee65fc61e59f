import DatabaseConnectors

/// Who may set which connection fields of a remote database, checked in one place for a registration and
/// for every update: the fields that decide where the hub connects and what it sends there.
enum RemoteConnectionRules {
    /// What a registration or an update sets.
    struct Change {
        var engine: DatabaseEngine
        /// A registration (else an update of a registered database).
        var isNew: Bool
        /// `database` is given (a file path for SQLite).
        var setsDatabase: Bool
        /// `host`, `port`, `tls` or the route through a VPN peer changes: the server the password goes to.
        var movesServer: Bool
        /// A password is given with the change.
        var givesPassword: Bool
    }

    /// - Throws: 403 when a tenant user would register or repoint a SQLite database (a file on the hub);
    ///   422 naming `password` when an update sends the stored password to another server without it being
    ///   entered again.
    static func authorize(_ change: Change, caller: Caller, storedPasswordIsEmpty: Bool) throws {
        if change.engine == .sqlite, change.isNew || change.setsDatabase || change.movesServer, !caller.isAdmin {
            throw PlatformError.forbidden("sqlite remote databases are files on the hub: only an admin may register or repoint one")
        }
        if !change.isNew, change.movesServer, !change.givesPassword, !storedPasswordIsEmpty {
            throw PlatformError.validation(
                field: "password",
                "is required again when host, port, tls or wireguard_peer_id change: a stored password is only sent to the server it was entered for")
        }
    }
}
