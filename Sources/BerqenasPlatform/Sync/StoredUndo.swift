import BerqenasSync
import DatabaseConnectors
import Foundation

/// A batch's undo images as stored: grouped by side, table and the columns the job wrote, each row its key,
/// its image before the job (absent: the job inserted it) and the fingerprint of what the job wrote (absent:
/// the job deleted it).
struct StoredUndoGroup: Codable {
    var side: SyncSide
    var table: String
    /// The columns the fingerprints cover; nil for a group of deletes.
    var columns: [String]?
    var rows: [Row]

    struct Row: Codable {
        var key: RowKey
        var before: RowImage?
        var digest: Int64?
    }

    static func groups(_ images: [UndoImage]) -> [StoredUndoGroup] {
        var groups: [String: StoredUndoGroup] = [:]
        var order: [String] = []
        for image in images {
            let id = "\(image.side.rawValue)|\(image.table.description)|\(image.written?.columns.joined(separator: ",") ?? "-")"
            if groups[id] == nil {
                groups[id] = StoredUndoGroup(side: image.side, table: image.table.description, columns: image.written?.columns, rows: [])
                order.append(id)
            }
            groups[id]?.rows.append(Row(key: image.key, before: image.before, digest: image.written?.digest))
        }
        return order.compactMap { groups[$0] }
    }

    /// The stored text of `groups` (the same JSON their `Codable` form gives, written directly).
    static func text(_ groups: [StoredUndoGroup]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(groups.reduce(0) { $0 + $1.rows.count * 48 })
        func append(_ literal: String) { bytes += Array(literal.utf8) }
        append("[")
        for (index, group) in groups.enumerated() {
            if index > 0 { append(",") }
            append("{\"side\":")
            StoredJSONText.appendString(group.side.rawValue, to: &bytes)
            append(",\"table\":")
            StoredJSONText.appendString(group.table, to: &bytes)
            if let columns = group.columns {
                append(",\"columns\":[")
                for (position, column) in columns.enumerated() {
                    if position > 0 { append(",") }
                    StoredJSONText.appendString(column, to: &bytes)
                }
                append("]")
            }
            append(",\"rows\":[")
            for (position, row) in group.rows.enumerated() {
                if position > 0 { append(",") }
                append("{\"key\":[")
                for (column, value) in row.key.enumerated() {
                    if column > 0 { append(",") }
                    value.appendStoredJSON(to: &bytes)
                }
                append("]")
                if let before = row.before {
                    append(",\"before\":{")
                    for (column, name) in before.keys.sorted().enumerated() {
                        if column > 0 { append(",") }
                        StoredJSONText.appendString(name, to: &bytes)
                        append(":")
                        before[name, default: .null].appendStoredJSON(to: &bytes)
                    }
                    append("}")
                }
                if let digest = row.digest { append(",\"digest\":\(digest)") }
                append("}")
            }
            append("]}")
        }
        append("]")
        return String(decoding: bytes, as: UTF8.self)
    }

    func images() throws -> [UndoImage] {
        let table = try TableNames.parse(table)
        return rows.map { row in
            var written: WrittenFingerprint?
            if let columns, let digest = row.digest { written = WrittenFingerprint(columns: columns, digest: digest) }
            return UndoImage(side: side, table: table, key: row.key, before: row.before, written: written)
        }
    }

    /// A stored batch's images, in the order they were written (batches written before undo images were
    /// compact hold whole images; they read the same).
    static func images(from text: String) throws -> [UndoImage] {
        if let groups = try? StoredJSON.value([StoredUndoGroup].self, text) {
            return try groups.flatMap { try $0.images() }
        }
        return try StoredJSON.value([WholeUndoImage].self, text).map { try $0.image() }
    }
}

/// An undo image as hubs before compact undo kept it: the whole row after the job.
private struct WholeUndoImage: Codable {
    var side: SyncSide
    var table: String
    var key: RowKey
    var before: RowImage?
    var after: RowImage?

    func image() throws -> UndoImage {
        UndoImage(side: side, table: try TableNames.parse(table), key: key, before: before, written: after.map(WrittenFingerprint.init))
    }
}
