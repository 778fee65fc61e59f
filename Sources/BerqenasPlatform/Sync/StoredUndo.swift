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

        /// Writes the row as its `Codable` form would.
        func append(to bytes: inout [UInt8]) {
            bytes.append(contentsOf: "{\"key\":".utf8)
            StoredJSONText.appendArray(key, to: &bytes) { $0.appendStoredJSON(to: &$1) }
            if let before {
                bytes.append(contentsOf: ",\"before\":{".utf8)
                for (position, name) in before.keys.sorted().enumerated() {
                    if position > 0 { bytes.append(UInt8(ascii: ",")) }
                    StoredJSONText.appendString(name, to: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    before[name, default: .null].appendStoredJSON(to: &bytes)
                }
                bytes.append(UInt8(ascii: "}"))
            }
            if let digest {
                bytes.append(contentsOf: ",\"digest\":".utf8)
                bytes.append(contentsOf: String(digest).utf8)
            }
            bytes.append(UInt8(ascii: "}"))
        }
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
        StoredJSONText.appendArray(groups, to: &bytes) { group, bytes in
            bytes.append(contentsOf: "{\"side\":".utf8)
            StoredJSONText.appendString(group.side.rawValue, to: &bytes)
            bytes.append(contentsOf: ",\"table\":".utf8)
            StoredJSONText.appendString(group.table, to: &bytes)
            if let columns = group.columns {
                bytes.append(contentsOf: ",\"columns\":".utf8)
                StoredJSONText.appendArray(columns, to: &bytes) { StoredJSONText.appendString($0, to: &$1) }
            }
            bytes.append(contentsOf: ",\"rows\":".utf8)
            StoredJSONText.appendArray(group.rows, to: &bytes) { $0.append(to: &$1) }
            bytes.append(UInt8(ascii: "}"))
        }
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
        if let groups = try? read(text) {
            return try groups.flatMap { try $0.images() }
        }
        return try StoredJSON.value([WholeUndoImage].self, text).map { try $0.image() }
    }

    /// The groups of `text` (what `text(_:)` wrote), read without `JSONDecoder`: a rollback of a million
    /// rows spent most of its time decoding them there.
    static func read(_ text: String) throws -> [StoredUndoGroup] {
        var reader = StoredJSONReader(text)
        var groups: [StoredUndoGroup] = []
        try reader.array { reader in
            var side: SyncSide?
            var table: String?
            var columns: [String]?
            var rows: [Row]?
            try reader.object { member, reader in
                switch member {
                case "side": side = SyncSide(rawValue: try reader.string())
                case "table": table = try reader.string()
                case "columns":
                    guard try !reader.null() else { return }
                    var names: [String] = []
                    try reader.array { names.append(try $0.string()) }
                    columns = names
                case "rows":
                    var read: [Row] = []
                    try reader.array { read.append(try Row.read(&$0)) }
                    rows = read
                default: try reader.skipValue()
                }
            }
            // A batch in the earlier whole-image form has no rows member: it is not a group (see `images(from:)`).
            guard let side, let table, let rows else { throw reader.failure("an undo group without its side, table or rows") }
            groups.append(StoredUndoGroup(side: side, table: table, columns: columns, rows: rows))
        }
        try reader.expectEnd()
        return groups
    }
}

extension StoredUndoGroup.Row {
    /// One row as `append(to:)` wrote it.
    static func read(_ reader: inout StoredJSONReader) throws -> Self {
        var key: RowKey?
        var before: RowImage?
        var digest: Int64?
        try reader.object { member, reader in
            switch member {
            case "key":
                var values: RowKey = []
                try reader.array { values.append(try CanonicalValue.readStored(&$0)) }
                key = values
            case "before":
                guard try !reader.null() else { return }
                var image: RowImage = [:]
                try reader.object { name, reader in image[name] = try CanonicalValue.readStored(&reader) }
                before = image
            case "digest":
                guard try !reader.null() else { return }
                digest = try reader.int64()
            default: try reader.skipValue()
            }
        }
        guard let key else { throw reader.failure("an undo row without its key") }
        return Self(key: key, before: before, digest: digest)
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
