import BerqenasAutoAPI
import DatabaseConnectors
import Vapor

/// What the caller accepts: a JSON array (the default), one JSON object
/// (`application/vnd.pgrst.object+json`: exactly one row, 406 otherwise), or `text/csv`.
enum RestFormat {
    case array, object, csv

    init(accept: String?) throws {
        guard let accept, !accept.isEmpty else {
            self = .array
            return
        }
        let types = accept.split(separator: ",").map {
            $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
        if types.contains("application/vnd.pgrst.object+json") || types.contains("application/vnd.pgrst.object") {
            self = .object
        } else if types.contains("text/csv") {
            self = .csv
        } else if types.contains(where: { ["application/json", "*/*", "application/*"].contains($0) }) {
            self = .array
        } else {
            throw AutoAPIError(
                status: 406, code: "PGRST107", message: "None of these media types are available: \(accept)",
                hint: "application/json, application/vnd.pgrst.object+json or text/csv")
        }
    }

    /// The media type of the answer.
    var contentType: HTTPMediaType {
        switch self {
        case .array: .init(type: "application", subType: "json", parameters: ["charset": "utf-8"])
        case .object: .init(type: "application", subType: "vnd.pgrst.object+json", parameters: ["charset": "utf-8"])
        case .csv: .init(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        }
    }

    /// Rows already rendered as JSON objects (with embedded rows); CSV has no place for them.
    func body(objects: [[UInt8]], headers: inout HTTPHeaders) throws -> [UInt8] {
        headers.contentType = contentType
        switch self {
        case .array:
            return JSONRows.array(objects)
        case .object:
            guard objects.count == 1, let object = objects.first else { throw Self.notOne(objects.count) }
            return object
        case .csv:
            throw AutoAPIError(
                status: 406, code: "PGRST107", message: "text/csv cannot carry embedded rows",
                hint: "ask for application/json, or leave the embedding out")
        }
    }

    static func notOne(_ count: Int) -> AutoAPIError {
        AutoAPIError(
            status: 406, code: "PGRST116", message: "JSON object requested, multiple (or no) rows returned",
            details: "The result contains \(count) rows")
    }

    func body(_ rows: [Row], columns: [ResultColumn], headers: inout HTTPHeaders) throws -> [UInt8] {
        headers.contentType = contentType
        switch self {
        case .array:
            return JSONRows.render(rows, columns: columns)
        case .object:
            guard rows.count == 1, let row = rows.first else { throw Self.notOne(rows.count) }
            return JSONRows.renderObject(row, columns: columns)
        case .csv:
            return CSVRows.render(rows, columns: columns)
        }
    }
}
