import DatabaseConnectors
import Foundation

extension SyncRunner {
    /// Rows per key range below which a differing range is compared row by row.
    static var leafRows: Int { 1_000 }
    /// Parts a differing range larger than that is cut into.
    static var fanOut: Int { 16 }
    /// Cuts after which a range is compared row by row whatever its size (when the two engines order
    /// keys differently, a range can hold many rows on one side only).
    static var maxDepth: Int { 12 }

    /// Compares the two tables without moving their rows: each side digests a key range in its own
    /// database (count and sum of row digests over the columns both tables have); equal digests prove
    /// the range equal, a differing range is cut into parts and compared again, down to ranges small
    /// enough to compare row by row. With `repair`, the differences are carried by that strategy
    /// (`local_wins`, `cloud_wins`) or parked as conflicts (`manual`).
    func verify(_ table: TableRun, repair: ConflictStrategy?, _ result: inout SyncTableResult) async throws -> TableVerification {
        let started = ContinuousClock.now
        var (report, differences) = try await compareTables(table)
        if let repair, table.write, !differences.isEmpty {
            try await carry(differences, table, strategy: repair, &report, &result)
        }
        report.milliseconds = Int((ContinuousClock.now - started) / .milliseconds(1))
        return report
    }

    /// Every row that differs between the two tables, found by digests of key ranges, and the report of
    /// the walk (rows on each side, ranges compared and differing, the first differing rows). `keysOnly`:
    /// the digests cover the keys alone, so only ranges where a row was added or removed are looked into
    /// (rows there are still compared whole).
    func compareTables(_ table: TableRun, keysOnly: Bool = false) async throws -> (TableVerification, [RowDifference]) {
        var report = TableVerification()
        let columns = keysOnly ? table.local.primaryKey : table.local.columns.map(\.name).filter { table.cloud.column($0) != nil }
        var differences: [RowDifference] = []
        var reported: Set<RowKey> = []
        func found(_ difference: RowDifference) {
            guard reported.insert(difference.key).inserted else { return }
            differences.append(difference)
        }
        var ranges: [(after: RowKey?, upTo: RowKey?, depth: Int)] = [(nil, nil, 0)]
        while let range = ranges.popLast() {
            try await journal.checkCancelled()
            async let localDigest = local.digestRange(table.local, columns: columns, after: range.after, upTo: range.upTo)
            let cloudDigest =
                table.cloudExists
                ? try await cloud.digestRange(table.cloud, columns: columns, after: range.after, upTo: range.upTo)
                : RangeDigest(digests: [])
            let localSide = try await localDigest
            if range.depth == 0 {
                report.localRows = localSide.rows
                report.cloudRows = cloudDigest.rows
            }
            report.rangesCompared += 1
            if localSide == cloudDigest { continue }
            report.rangesDiffering += 1
            let larger = max(localSide.rows, cloudDigest.rows)
            if larger <= Self.leafRows || range.depth >= Self.maxDepth {
                for difference in try await compareRows(table, after: range.after, upTo: range.upTo) { found(difference) }
                continue
            }
            let (splitter, schema) = localSide.rows >= cloudDigest.rows ? (local, table.local) : (cloud, table.cloud)
            let cuts = try await splitter.splitRange(
                schema, after: range.after, upTo: range.upTo,
                every: (larger + Self.fanOut - 1) / Self.fanOut)
            let bounds: [RowKey?] = [range.after] + cuts.map { Optional($0) } + [range.upTo]
            for index in stride(from: bounds.count - 2, through: 0, by: -1) where bounds[index] != bounds[index + 1] || bounds[index] == nil {
                ranges.append((bounds[index], bounds[index + 1], range.depth + 1))
            }
        }
        report.differingRows = differences.count
        report.differences = differences.prefix(TableVerification.listed).map(TableVerification.DifferingRow.init)
        return (report, differences)
    }

    /// The rows of a key range that differ, read from both sides. A row one side holds in this range and
    /// the other does not is looked up on the other side by key before it counts as missing: two
    /// engines may order text keys differently, so the same row can fall into neighbouring ranges.
    private func compareRows(_ table: TableRun, after: RowKey?, upTo: RowKey?) async throws -> [RowDifference] {
        let localRows = try await rows(local, table.local, after: after, upTo: upTo)
        let cloudRows = table.cloudExists ? try await rows(cloud, table.cloud, after: after, upTo: upTo) : [:]
        var differences: [RowDifference] = []
        let onlyLocal = localRows.keys.filter { cloudRows[$0] == nil }
        let onlyCloud = cloudRows.keys.filter { localRows[$0] == nil }
        let elsewhereInCloud = table.cloudExists ? try await images(cloud, table.cloud, keys: Array(onlyLocal)) : [:]
        let elsewhereLocally = try await images(local, table.local, keys: Array(onlyCloud))
        for (key, image) in localRows {
            let other = cloudRows[key] ?? elsewhereInCloud[key]
            if !(sameRow(image, other) && sameRow(other, image)) { differences.append(RowDifference(key: key, local: image, cloud: other)) }
        }
        for (key, image) in cloudRows where localRows[key] == nil {
            let other = elsewhereLocally[key]
            if !(sameRow(image, other) && sameRow(other, image)) { differences.append(RowDifference(key: key, local: other, cloud: image)) }
        }
        return differences.sorted { "\($0.key)" < "\($1.key)" }
    }

    /// Every row of a key range, by key.
    private func rows(_ connector: any DatabaseConnector, _ table: TableSchema, after: RowKey?, upTo: RowKey?) async throws -> [RowKey: RowImage] {
        var rows: [RowKey: RowImage] = [:]
        var lower = after
        repeat {
            let page = try await connector.readRange(table, after: lower, upTo: upTo, limit: pageSize)
            for row in page.rows { rows[table.key(of: row)] = table.image(of: row) }
            lower = page.nextKey
        } while lower != nil
        return rows
    }

    /// Makes the differing rows equal with `strategy`'s side, or parks them (`manual`). Rows without a
    /// history have no capture times, so `latest_wins` cannot decide them (requests refuse it). Each
    /// write is checked against the row as it is now, as sync writes are.
    private func carry(
        _ differences: [RowDifference], _ table: TableRun, strategy: ConflictStrategy,
        _ report: inout TableVerification, _ result: inout SyncTableResult
    ) async throws {
        switch strategy {
        case .manual, .latestWins:
            let conflicts = differences.map {
                PlannedConflict(
                    key: $0.key, base: nil, local: $0.local, cloud: $0.cloud, localCapturedAt: "", cloudCapturedAt: "",
                    winner: nil, changedOn: [.local, .cloud])
            }
            try await journal.recordConflicts(conflicts, of: table.pair)
            report.parked = conflicts.count
            result.count(conflicts)
        case .localWins, .cloudWins:
            let side: SyncSide = strategy == .localWins ? .cloud : .local
            let changes = differences.map {
                side == .cloud
                    ? NetChange(key: $0.key, before: $0.cloud, after: $0.local, capturedAt: "")
                    : NetChange(key: $0.key, before: $0.local, after: $0.cloud, capturedAt: "")
            }
            for batch in changes.chunked(pageSize) {
                try await journal.checkCancelled()
                let schema = side == .cloud ? table.cloud : table.local
                // A row changed since it was read is a conflict the repair's side wins: written all the same.
                let guarded = try await guardWrites(Array(batch), to: side, schema, strategy: strategy, unloggedSideWinsLatest: true)
                try await write(guarded.write, to: side, schema, known: guarded.current, recordUndo: true)
                if !guarded.conflicts.isEmpty { try await journal.recordConflicts(guarded.conflicts, of: table.pair) }
                report.repaired += batch.count
                if side == .cloud { result.localToCloud += guarded.write.count } else { result.cloudToLocal += guarded.write.count }
                result.count(guarded.conflicts)
            }
        }
    }
}
