import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// PostgreSQL failures as `ConnectorError`s a user can act on.
enum PostgresErrorMapping {
    static func connectError(_ error: any Error, spec: ConnectionSpec) -> ConnectorError {
        let target = "\(spec.host):\(spec.port)"
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? ""
                switch state {
                case "28P01": return ConnectorError(.authFailed, "password authentication failed for user '\(spec.username)'")
                case "28000" where message.contains("no encryption"):
                    return ConnectorError(.tlsRequired, "the server at \(target) requires TLS: set tls to require or verify_full")
                case "28000": return ConnectorError(.authFailed, "the server refused user '\(spec.username)': \(message)")
                case "3D000": return ConnectorError(.databaseNotFound, "database '\(spec.database)' does not exist on \(target)")
                case "42501": return ConnectorError(.permissionDenied, message)
                default: return ConnectorError(.queryFailed, "\(state): \(message)")
                }
            }
            if error.code == .sslUnsupported {
                return ConnectorError(.tlsRequired, "TLS is required by the connection settings but \(target) does not offer it")
            }
            if let underlying = error.underlying { return connectError(underlying, spec: spec) }
            return ConnectorError(.unreachable, "cannot reach PostgreSQL at \(target): \(error.code)")
        }
        if let error = error as? NIOSSLError, case .handshakeFailed = error {
            return ConnectorError(
                .tlsUntrusted,
                "the TLS certificate of \(target) could not be verified (\(error)): "
                    + "give the server a certificate from a trusted CA for this host name, or use tls require")
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return ConnectorError(.timeout, "no answer from \(target) within \(spec.connectTimeout) s")
        }
        if "\(error)".lowercased().contains("timeout") || "\(error)".lowercased().contains("timed out") {
            return ConnectorError(.timeout, "no answer from \(target) within \(spec.connectTimeout) s")
        }
        return ConnectorError(.unreachable, "cannot reach PostgreSQL at \(target): \(error)")
    }

    static func queryError(_ error: any Error) -> ConnectorError {
        guard let error = error as? PSQLError else { return ConnectorError(.queryFailed, "\(error)") }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "\(error.code)"
        switch state {
        case "42501": return ConnectorError(.permissionDenied, message)
        case "57014": return ConnectorError(.timeout, "statement timeout: \(message)")
        case "23505": return ConnectorError(.uniqueViolation, message)
        case "23503": return ConnectorError(.foreignKeyViolation, message)
        case "23502": return ConnectorError(.notNullViolation, message)
        case "23514": return ConnectorError(.checkViolation, message)
        default:
            if error.code == .serverClosedConnection || error.code == .connectionError {
                return ConnectorError(.unreachable, "the connection to PostgreSQL was lost")
            }
            let source =
                state.isEmpty
                ? nil : ConnectorError.SourceError(state: state, message: message, detail: error.serverInfo?[.detail], hint: error.serverInfo?[.hint])
            return ConnectorError(.queryFailed, state.isEmpty ? message : "\(state): \(message)", source: source)
        }
    }
}
