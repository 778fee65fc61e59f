import DatabaseConnectors
import Foundation

/// The local cursor of a table compared by a watermark column: the column's largest value when the last
/// comparison began.
enum WatermarkCursor {
    static let prefix = "watermark:"

    static func text(_ value: CanonicalValue) throws -> String {
        prefix + String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func value(_ cursor: String?) -> CanonicalValue? {
        guard let cursor, cursor.hasPrefix(prefix) else { return nil }
        return try? JSONDecoder().decode(CanonicalValue.self, from: Data(cursor.dropFirst(prefix.count).utf8))
    }

    /// How far back a run reads before the last mark, for timestamps: a transaction that stamped a row
    /// before the last run read the mark and committed after it is still seen, if it took less than this.
    static let overlap: TimeInterval = 300

    /// The value a run reads from: `mark`, less the overlap when it is an instant.
    static func readFrom(_ mark: CanonicalValue) -> CanonicalValue {
        // `2024-01-02T03:04:05.123456Z` -> `2024-01-02 03:04:05.123456`, the canonical form of a timestamp.
        func earlier(_ micros: Int64) -> String {
            String(
                CaptureInstant.text(Date(timeIntervalSince1970: Double(micros) / 1e6 - overlap)).dropLast().replacingOccurrences(of: "T", with: " "))
        }
        switch mark {
        case let .timestamp(text):
            return CaptureInstant.microseconds(text + "+00:00").map { .timestamp(earlier($0)) } ?? mark
        case let .timestampWithZone(text):
            return CaptureInstant.microseconds(text).map { .timestampWithZone(earlier($0) + "+00:00") } ?? mark
        default:
            return mark
        }
    }
}

extension SyncRunner {
    /// What differs in a table of a site in the compare capture mode, and the local cursor to save after it.
    ///
    /// With a watermark column (`localWatermark`, such as `updated_at` or `rowversion`) that the table has,
    /// and a mark left by the last run, only the rows whose column reached the mark are read and compared,
    /// and rows added or removed are found by digests of the keys alone. The column is trusted: a row changed
    /// without raising it is found only by a full comparison (a verify). Otherwise the whole table is compared.
    func differencesToCarry(_ table: TableRun) async throws -> (TableVerification, [RowDifference], cursor: String) {
        guard let column = localWatermark, table.local.column(column) != nil else {
            let (report, differences) = try await compareTables(table)
            return (report, differences, Self.comparedCursor())
        }
        // Read before the rows: a row stamped later is at least this, and read by the next run.
        let mark = try await local.largest(column, of: table.local)
        let cursor = try mark.map(WatermarkCursor.text) ?? Self.comparedCursor()
        guard let last = WatermarkCursor.value(try await journal.cursor(of: table.pair.local, side: .local)) else {
            let (report, differences) = try await compareTables(table)
            return (report, differences, cursor)
        }
        var (report, differences) = try await compareTables(table, keysOnly: true)
        let found = Set(differences.map(\.key))
        let changed = try await local.keys(of: table.local, where: column, atLeast: WatermarkCursor.readFrom(last))
        differences += try await differingRows(table, keys: changed.filter { !found.contains($0) })
        report.differingRows = differences.count
        return (report, differences, cursor)
    }

    /// The rows with these keys that differ between the sides (read a page at a time).
    func differingRows(_ table: TableRun, keys: [RowKey]) async throws -> [RowDifference] {
        var differences: [RowDifference] = []
        for chunk in keys.chunked(pageSize) {
            try await journal.checkCancelled()
            let localRows = try await images(local, table.local, keys: Array(chunk))
            let cloudRows = table.cloudExists ? try await images(cloud, table.cloud, keys: Array(chunk)) : [:]
            for key in chunk {
                let (mine, theirs) = (localRows[key], cloudRows[key])
                if !(sameRow(mine, theirs) && sameRow(theirs, mine)) { differences.append(RowDifference(key: key, local: mine, cloud: theirs)) }
            }
        }
        return differences
    }
}
