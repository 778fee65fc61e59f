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
        JSONText.string(name, into: &key)
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
                JSONForm.write(cell, into: &out)
            }
        }
        if closing { out.append(UInt8(ascii: "}")) }
    }
}
