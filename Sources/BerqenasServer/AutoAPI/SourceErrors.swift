import BerqenasAutoAPI
import DatabaseConnectors

/// A PostgreSQL source's error as PostgREST answers it: its SQLSTATE as the code, the HTTP status PostgREST
/// gives that class, and the server's message, detail and hint where they speak of the request (data, integrity,
/// syntax and access, unsupported features, and errors a function raises); for failures of the server itself (resources, internal
/// errors, the system) only the code, never its words, which may name files or settings.
enum SourceErrors {
    static func shaped(_ source: ConnectorError.SourceError) -> AutoAPIError {
        let status = status(of: source.state)
        let speaksOfTheRequest = ["22", "23", "42", "P0", "0L", "0P", "28", "25", "0A"].contains(String(source.state.prefix(2)))
        guard speaksOfTheRequest else {
            return AutoAPIError(status: status, code: source.state, message: "the source database failed (SQLSTATE \(source.state))")
        }
        return AutoAPIError(status: status, code: source.state, message: source.message, details: source.detail, hint: source.hint)
    }

    /// PostgREST's table of statuses by SQLSTATE (its documentation's "HTTP status codes").
    static func status(of state: String) -> Int {
        switch state {
        case "23503", "23505": return 409
        case "25006": return 405
        case "42883", "42P01": return 404
        case "42P17": return 500
        case "42501": return 403
        case "P0001": return 400
        default: break
        }
        switch String(state.prefix(2)) {
        case "08", "53": return 503
        case "0L", "0P", "28": return 403
        case "09", "25", "2D", "38", "39", "3B", "40", "54", "55", "57", "58", "F0", "HV", "P0", "XX": return 500
        default: return 400
        }
    }
}
