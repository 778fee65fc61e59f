/// An error of the generated APIs, shaped as PostgREST shapes them (`{"code","message","details","hint"}`)
/// and answered with PostgREST's status for it, so its clients recognise them.
package struct AutoAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    package let status: Int
    /// PostgREST's code (`PGRST100` for a request it cannot parse) or PostgreSQL's SQLSTATE (`42703`).
    package let code: String
    package let message: String
    package let details: String?
    package let hint: String?
    /// `details` as a list of objects, where PostgREST gives one (PGRST201's candidate relationships).
    package var detailList: [[String: String]]?
    /// Headers the answer carries (`Retry-After` of a 429).
    package var headers: [String: String] = [:]

    package init(status: Int, code: String, message: String, details: String? = nil, hint: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.hint = hint
    }

    package var description: String { "\(code): \(message)" + (details.map { " (\($0))" } ?? "") }

    /// The request's query string could not be parsed (PGRST100, 400).
    package static func unparsable(_ what: String, details: String? = nil, hint: String? = nil) -> AutoAPIError {
        AutoAPIError(status: 400, code: "PGRST100", message: "\"failed to parse \(what)\"", details: details, hint: hint)
    }

    /// A column the table does not have (42703, 400): names are checked, never passed on as SQL.
    package static func unknownColumn(_ name: String, table: String) -> AutoAPIError {
        AutoAPIError(
            status: 400, code: "42703", message: "column \(table).\(name) does not exist",
            hint: "the API serves only the columns its definition lists (GET …/apis/{name} shows them)")
    }

    /// Valid grammar the source cannot do (an operator its engine lacks).
    package static func unsupported(_ message: String, hint: String? = nil) -> AutoAPIError {
        AutoAPIError(status: 400, code: "PGRST100", message: message, hint: hint)
    }
}
