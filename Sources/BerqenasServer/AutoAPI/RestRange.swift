import BerqenasAutoAPI
import Vapor

/// `Range: first-last` (with `Range-Unit: items`, PostgREST's only unit) as offset and limit; the query's own
/// `limit`/`offset` still narrow it. An unreadable or inverted range is 416.
enum RestRange {
    static func apply(_ headers: HTTPHeaders, to request: inout ReadRequest) throws {
        guard let range = headers.first(name: "Range") else { return }
        if let unit = headers.first(name: "Range-Unit"), unit != "items" {
            throw unsatisfiable("Range-Unit must be items, got '\(unit)'")
        }
        let parts = range.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let first = PagingNumber.parse(parts[0]) else {
            throw unsatisfiable("Range must be first-last, each \(PagingNumber.expectation), got '\(range.prefix(60))'")
        }
        let offset = first + (request.offset ?? 0)
        request.offset = offset
        if !parts[1].isEmpty {
            guard let last = PagingNumber.parse(parts[1]) else {
                throw unsatisfiable("Range \(range.prefix(60)): first-last, each \(PagingNumber.expectation)")
            }
            guard last >= first else { throw unsatisfiable("Range \(range): the last row comes before the first") }
            request.limit = min(request.limit ?? Int.max, last - first + 1)
        }
    }

    static func unsatisfiable(_ message: String) -> AutoAPIError {
        AutoAPIError(status: 416, code: "PGRST103", message: "Requested range not satisfiable", details: message)
    }
}
