import DatabaseConnectors
import Foundation

/// Rows as `text/csv` (RFC 4180): a header of column names, then one line per row; a field is quoted when
/// it holds a comma, quote or line break, and NULL is an empty field; text that would be a spreadsheet formula
/// is neutralised.
package enum CSVRows {
    package static func render(_ rows: [Row], columns: [ResultColumn]) -> [UInt8] {
        var out: [UInt8] = []
        line(columns.map(\.name), into: &out)
        for row in rows {
            line(row.values.map(field), into: &out)
        }
        return out
    }

    private static func field(_ value: CanonicalValue) -> String {
        switch value {
        case .null: ""
        case let .text(text), let .xml(text), let .json(text): neutralized(text)
        case let .decimal(text), let .date(text), let .time(text), let .interval(text): text
        case let .timestamp(text), let .timestampWithZone(text): JSONForm.isoTimestamp(text)
        case let .boolean(flag): flag ? "true" : "false"
        case let .integer(number): String(number)
        case let .float(number): number.isFinite ? "\(number)" : number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity"
        case let .uuid(uuid): uuid.uuidString.lowercased()
        case let .binary(bytes), let .geometry(bytes): Data(bytes).base64EncodedString()
        case .array:
            {
                var json: [UInt8] = []
                JSONForm.write(value, into: &json)
                return String(decoding: json, as: UTF8.self)
            }()
        }
    }

    /// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return first) gets a
    /// leading `'`, which spreadsheets show as text; numbers are written as numbers and never touched.
    static func neutralized(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    private static func line(_ fields: [String], into out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                out += Array(("\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"").utf8)
            } else {
                out += Array(field.utf8)
            }
        }
        out += [13, 10]
    }
}
