import BerqenasPlatform
import NIOCore
import NIOPosix
import PostgresNIO

/// Before anything else uses a PostgreSQL system database: one connection, to fail at once with what is wrong
/// (unreachable, refused, a wrong password, no such database) instead of a pool retrying for a minute and
/// giving up with an opaque error. A supervisor (compose's restart policy, systemd) starts the server again.
enum SystemDatabaseReach {
    static let connectTimeout = TimeAmount.seconds(10)

    static func check(url: String) async throws {
        var configuration = try SystemDatabaseTLS.connection(url: url)
        configuration.options.connectTimeout = connectTimeout
        let target = "\(configuration.host ?? "?"):\(configuration.port.map(String.init) ?? "?")"
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0,
                logger: Logger(label: "berqenas.system-database"))
            try? await connection.close()
        } catch {
            throw PlatformError.invalidConfiguration(
                "cannot open the system database (BERQENAS_DATABASE_URL) at \(target): \(reason(error))")
        }
    }

    /// The cause in words, without the URL's password (PostgresNIO's descriptions hold none either).
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return String(describing: underlying) }
        return String(describing: error.code)
    }
}
