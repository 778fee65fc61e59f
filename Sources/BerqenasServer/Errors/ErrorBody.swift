import Vapor

/// The one JSON shape of every 4xx and 5xx answer: `{"error":{"code","message","details"}}`.
struct ErrorBody: Content {
    struct Payload: Content {
        let code: String
        let message: String
        let details: [String: String]
    }

    let error: Payload

    init(code: String, message: String, details: [String: String] = [:]) {
        self.error = Payload(code: code, message: message, details: details)
    }
}
