import DatabaseConnectors
import Foundation

/// Rows as the JSON PostgREST clients read: an array of objects keyed by the result's column names, every
/// type in its JSON form (docs/types.md): exact decimals as JSON numbers with all their digits (never through
/// a Double), timestamps ISO 8601 (with the offset where the type has one), binary as base64, uuids as
/// strings, json as itself, intervals as ISO 8601 durations, arrays as arrays.
package enum JSONRows {
    package static func render(_ rows: [Row], columns: [ResultColumn]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + rows.count * columns.count * 16)
        let keys = keys(columns)
        let fromWKT = fromWKT(columns)
        out.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            object(row, keys: keys, fromWKT: fromWKT, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// One row as an object (for `Accept: application/vnd.pgrst.object+json`).
    package static func renderObject(_ row: Row, columns: [ResultColumn]) -> [UInt8] {
        var out: [UInt8] = []
        object(row, keys: keys(columns), fromWKT: fromWKT(columns), into: &out)
        return out
    }

    /// Each row as an object of its first `visible` columns followed by `members` (per member, its name and
    /// each row's value, already JSON): rows with embedded related rows.
    package static func objects(
        _ rows: [Row], columns: [ResultColumn], visible: Int,
        members: [(name: String, values: [[UInt8]])]
    ) -> [[UInt8]] {
        let columnKeys = keys(Array(columns.prefix(visible)))
        let fromWKT = fromWKT(columns)
        let memberKeys = members.map { key($0.name) }
        return rows.indices.map { index in
            var out: [UInt8] = []
            object(rows[index], keys: columnKeys, fromWKT: fromWKT, into: &out, closing: false)
            for (member, memberKey) in zip(members, memberKeys) {
                if out.count > 1 { out.append(UInt8(ascii: ",")) }
                out += memberKey
                out += member.values[index]
            }
            out.append(UInt8(ascii: "}"))
            return out
        }
    }

    /// Each column's `"name":`, written once per response.
    private static func keys(_ columns: [ResultColumn]) -> [[UInt8]] {
        columns.map { key($0.name) }
    }

    private static func key(_ name: String) -> [UInt8] {
        var key: [UInt8] = []
        string(name, into: &key)
        key.append(UInt8(ascii: ":"))
        return key
    }

    /// Which columns hold WKT to show as GeoJSON (nil: none, the common case).
    private static func fromWKT(_ columns: [ResultColumn]) -> [Bool]? {
        let flags = columns.map { $0.presentation == .geoJSONFromWKT }
        return flags.contains(true) ? flags : nil
    }

    private static func object(_ row: Row, keys: [[UInt8]], fromWKT: [Bool]?, into out: inout [UInt8], closing: Bool = true) {
        out.append(UInt8(ascii: "{"))
        for (column, key) in keys.enumerated() {
            if column > 0 { out.append(UInt8(ascii: ",")) }
            out += key
            let cell = column < row.values.count ? row.values[column] : .null
            if fromWKT?[column] == true, case let .text(wkt) = cell, let geoJSON = WKTGeoJSON.convert(wkt) {
                out += Array(geoJSON.utf8)
            } else {
                value(cell, into: &out)
            }
        }
        if closing { out.append(UInt8(ascii: "}")) }
    }

    static func value(_ value: CanonicalValue, into out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case let .boolean(flag): out += Array((flag ? "true" : "false").utf8)
        case let .integer(number): out += Array(String(number).utf8)
        case let .decimal(digits): isJSONNumber(digits) ? out += Array(digits.utf8) : string(digits, into: &out)
        case let .float(number):
            number.isFinite ? out += Array("\(number)".utf8) : string(number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity", into: &out)
        case let .text(text), let .xml(text), let .date(text), let .time(text), let .interval(text): string(text, into: &out)
        case let .timestamp(text), let .timestampWithZone(text): string(isoTimestamp(text), into: &out)
        case let .binary(bytes), let .geometry(bytes): string(Data(bytes).base64EncodedString(), into: &out)
        case let .uuid(uuid): string(uuid.uuidString.lowercased(), into: &out)
        case let .json(document): out += Array(document.utf8)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                self.value(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `YYYY-MM-DD HH:MM:SS…` -> `YYYY-MM-DDTHH:MM:SS…` (infinity stays as it is).
    static func isoTimestamp(_ text: String) -> String {
        guard text.count > 10, text[text.index(text.startIndex, offsetBy: 10)] == " " else { return text }
        var iso = text
        iso.replaceSubrange(iso.index(iso.startIndex, offsetBy: 10)...iso.index(iso.startIndex, offsetBy: 10), with: "T")
        return iso
    }

    /// Whether decimal text is a JSON number as it stands (`-12.30`, `1E+5`; not `NaN` or `.5`).
    static func isJSONNumber(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let integer = bytes.prefix { (48...57).contains($0) }
        guard !integer.isEmpty, integer.count == 1 || integer.first != UInt8(ascii: "0") else { return false }
        bytes = bytes.dropFirst(integer.count)
        if bytes.first == UInt8(ascii: ".") {
            let fraction = bytes.dropFirst().prefix { (48...57).contains($0) }
            guard !fraction.isEmpty else { return false }
            bytes = bytes.dropFirst(1 + fraction.count)
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            let exponent = bytes.prefix { (48...57).contains($0) }
            guard !exponent.isEmpty else { return false }
            bytes = bytes.dropFirst(exponent.count)
        }
        return bytes.isEmpty
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
