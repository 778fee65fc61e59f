import ArgumentParser
import Foundation

/// `--json` for scripts; otherwise tables for people.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the server's JSON instead of a table.")
    var json = false

    /// Prints `value` as JSON, or as a table of `columns` taken from each object.
    func print(_ value: Any?, columns: [String]) throws {
        if json {
            guard let value else { return }
            let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])
            Swift.print(String(decoding: data, as: UTF8.self))
            return
        }
        let rows: [[String: Any]]
        if let page = value as? [String: Any], let items = page["items"] as? [[String: Any]] {
            rows = items
        } else if let object = value as? [String: Any] {
            rows = [object]
        } else if let array = value as? [[String: Any]] {
            rows = array
        } else {
            rows = []
        }
        Swift.print(TextTable.render(columns: columns, rows: rows.map { row in columns.map { Self.cell(row, $0) } }))
        if let page = value as? [String: Any], let total = page["total"] as? Int, total > rows.count {
            Swift.print("(\(rows.count) of \(total); use --limit and --offset)")
        }
    }

    /// A column value; `a.b` reaches into nested objects.
    static func cell(_ row: [String: Any], _ column: String) -> String {
        var current: Any? = row
        for part in column.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        switch current {
        case nil, is NSNull: return "-"
        case let value as String: return value
        case let value as Bool: return value ? "yes" : "no"
        case let value as [Any]:
            let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        case let value?: return "\(value)"
        }
    }
}

/// Plain-text tables with aligned columns.
enum TextTable {
    static func render(columns: [String], rows: [[String]]) -> String {
        let headers = columns.map { $0.uppercased().replacingOccurrences(of: ".", with: " ") }
        let widths = columns.indices.map { index in
            ([headers[index]] + rows.map { $0[index] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}
