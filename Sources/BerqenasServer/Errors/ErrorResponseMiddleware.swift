import BerqenasPlatform
import Vapor

/// Turns every error into the one JSON error shape with a stable code; nothing a client sends becomes a 500.
///
/// A future-based middleware: an async one would start a task of its own for every request.
struct ErrorResponseMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapErrorThrowing { error in
            let mapped = Self.describe(error)
            if mapped.status.code >= 500 {
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            let response = Response(status: mapped.status)
            try response.content.encode(mapped.body, as: .json)
            for (name, value) in mapped.headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
    }

    struct Mapped {
        let status: HTTPResponseStatus
        let body: ErrorBody
        var headers: [(String, String)] = []
    }

    static func describe(_ error: any Error) -> Mapped {
        switch error {
        case let error as PlatformError:
            var mapped = Mapped(
                status: HTTPResponseStatus(statusCode: error.status),
                body: ErrorBody(
                    code: error.code,
                    message: error.status >= 500 && error.code == "internal"
                        ? "internal error" : error.message, details: error.details)
            )
            if let retry = error.details["retry_after"] { mapped.headers.append(("Retry-After", retry)) }
            return mapped
        case let error as DecodingError:
            return describe(decoding: error)
        case let error as any AbortError:
            return Mapped(
                status: error.status,
                body: ErrorBody(code: code(for: error.status), message: error.reason),
                headers: error.headers.map { ($0.name, $0.value) }
            )
        default:
            return Mapped(status: .internalServerError, body: ErrorBody(code: "internal", message: "internal error"))
        }
    }

    /// Syntax errors are 400; a well-formed body with a missing or mistyped field is 422 naming the field.
    static func describe(decoding error: DecodingError) -> Mapped {
        func field(_ path: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = (path + (last.map { [$0] } ?? [])).map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            return keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        func invalid(_ name: String, _ message: String) -> Mapped {
            let mapped = PlatformError.validation(field: name, message)
            return Mapped(
                status: .unprocessableEntity,
                body: ErrorBody(code: mapped.code, message: mapped.message, details: mapped.details))
        }
        switch error {
        case let .keyNotFound(key, context):
            return invalid(field(context.codingPath, key), "is required")
        case let .valueNotFound(_, context):
            return invalid(field(context.codingPath), "must not be null")
        case let .typeMismatch(type, context):
            return invalid(field(context.codingPath), "has the wrong type (expected \(typeName(type)))")
        case let .dataCorrupted(context) where !context.codingPath.isEmpty:
            return invalid(field(context.codingPath), "has an invalid value")
        case .dataCorrupted:
            return Mapped(status: .badRequest, body: ErrorBody(code: "malformed_body", message: "the request body is not valid JSON"))
        @unknown default:
            return Mapped(status: .badRequest, body: ErrorBody(code: "malformed_body", message: "the request body could not be read"))
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "integer"
        case is Double.Type: "number"
        default: "\(type)".contains("Dictionary") ? "object" : "\(type)".contains("Array") ? "array" : "\(type)"
        }
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 411: "length_required"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "validation_failed"
        case 429: "too_many_requests"
        case 500..<600: "internal"
        default: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
        }
    }
}
