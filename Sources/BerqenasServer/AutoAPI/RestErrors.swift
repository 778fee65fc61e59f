import BerqenasAutoAPI
import BerqenasPlatform
import DatabaseConnectors
import Vapor

/// Every failure of a generated API as PostgREST shapes it: `{"code","message","details","hint"}`.
enum RestErrors {
    static func response(for error: any Error, request: Request) -> Response {
        let shaped: AutoAPIError =
            switch error {
            case let error as AutoAPIError: error
            case let error as PlatformError where error.status == 404:
                AutoAPIError(status: 404, code: "PGRST205", message: error.message)
            case let error as PlatformError:
                {
                    var shaped = AutoAPIError(status: error.status, code: error.code, message: error.message)
                    if let retry = error.details["retry_after"] { shaped.headers["Retry-After"] = retry }
                    return shaped
                }()
            case let error as ConnectorError:
                switch error.code {
                case .invalidValue: AutoAPIError(status: 400, code: "22P02", message: error.message)
                case .queryFailed:
                    if let source = error.source {
                        SourceErrors.shaped(source)
                    } else {
                        // A driver's own words (SQLite, FreeTDS) may name the source's files or SQL: logged, not answered.
                        AutoAPIError(
                            status: 400, code: "42000", message: "the source database refused the query",
                            hint: "check the filters' values against the columns' types")
                    }
                case .permissionDenied: AutoAPIError(status: 403, code: "42501", message: error.message)
                case .uniqueViolation: AutoAPIError(status: 409, code: "23505", message: error.message)
                case .foreignKeyViolation: AutoAPIError(status: 409, code: "23503", message: error.message)
                case .notNullViolation: AutoAPIError(status: 400, code: "23502", message: error.message)
                case .checkViolation: AutoAPIError(status: 400, code: "23514", message: error.message)
                default: AutoAPIError(status: 503, code: "PGRST001", message: "the API's source could not be reached")
                }
            case let error as any AbortError:
                AutoAPIError(status: Int(error.status.code), code: ErrorResponseMiddleware.code(for: error.status), message: error.reason)
            default:
                AutoAPIError(status: 500, code: "PGRST000", message: "internal error")
            }
        if shaped.status >= 500 || (error as? ConnectorError)?.code == .queryFailed {
            request.logger.error("generated API: \(String(describing: error))")
        }
        var headers = HTTPHeaders(shaped.headers.map { ($0.key, $0.value) })
        headers.contentType = .init(type: "application", subType: "json", parameters: ["charset": "utf-8"])
        let body = Body(code: shaped.code, message: shaped.message, details: shaped.details, detailList: shaped.detailList, hint: shaped.hint)
        let data = (try? JSONEncoder().encode(body)) ?? Data("{}".utf8)
        return Response(status: HTTPResponseStatus(statusCode: shaped.status), headers: headers, body: .init(data: data))
    }

    /// PostgREST's error body; `details` is text, or a list of objects where PostgREST gives one (PGRST201).
    struct Body: Encodable {
        let code: String
        let message: String
        let details: String?
        let detailList: [[String: String]]?
        let hint: String?

        enum Keys: String, CodingKey { case code, message, details, hint }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            if let detailList { try container.encode(detailList, forKey: .details) } else { try container.encode(details, forKey: .details) }
            try container.encode(hint, forKey: .hint)
        }
    }
}
