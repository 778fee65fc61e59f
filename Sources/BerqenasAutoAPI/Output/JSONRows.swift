import DatabaseConnectors
import Foundation

/// Rows as the JSON PostgREST clients read: an array of objects keyed by the result's column names, every
/// value in its JSON form (`JSONForm`, docs/types.md).
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

    /// Each row's first `visible` values, each as its JSON (rows whose objects are assembled with embedded rows).
    package static func cells(_ rows: [Row], columns: [ResultColumn], visible: Int) -> [[[UInt8]]] {
        let fromWKT = fromWKT(columns)
        return rows.map { row in
            (0..<visible).map { column in
                var out: [UInt8] = []
                value(column < row.values.count ? row.values[column] : .null, fromWKT: fromWKT?[column] == true, into: &out)
                return out
            }
        }
    }

    /// An object of `values` (already JSON) under `keys` (made by `keys(_:)`).
    package static func object(keys: [[UInt8]], values: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, value)) in zip(keys, values).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += key
            out += value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON array of `values` (already JSON).
    package static func array(_ values: [[UInt8]]) -> [UInt8] {
        [UInt8(ascii: "[")] + Array(values.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
    }

    /// Each name as `"name":`, for `object(keys:values:)`.
    package static func keys(_ names: [String]) -> [[UInt8]] { names.map(key) }

    /// Each column's `"name":`, written once per response.
    private static func keys(_ columns: [ResultColumn]) -> [[UInt8]] {
        columns.map { key($0.name) }
    }

    private static func key(_ name: String) -> [UInt8] {
        var key: [UInt8] = []
        JSONText.string(name, into: &key)
        key.append(UInt8(ascii: ":"))
        return key
    }

    /// Which columns hold WKT to show as GeoJSON (nil: none, the common case).
    private static func fromWKT(_ columns: [ResultColumn]) -> [Bool]? {
        let flags = columns.map { $0.presentation == .geoJSONFromWKT }
        return flags.contains(true) ? flags : nil
    }

    private static func object(_ row: Row, keys: [[UInt8]], fromWKT: [Bool]?, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (column, key) in keys.enumerated() {
            if column > 0 { out.append(UInt8(ascii: ",")) }
            out += key
            value(column < row.values.count ? row.values[column] : .null, fromWKT: fromWKT?[column] == true, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func value(_ cell: CanonicalValue, fromWKT: Bool, into out: inout [UInt8]) {
        if fromWKT, case let .text(wkt) = cell, let geoJSON = WKTGeoJSON.convert(wkt) {
            out += Array(geoJSON.utf8)
        } else {
            JSONForm.write(cell, into: &out)
        }
    }
}
