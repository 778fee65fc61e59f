import DatabaseConnectors

/// What a verification found in one table pair.
package struct TableVerification: Sendable, Hashable, Codable {
    /// One row that differs: missing on a side, or changed (with the columns that differ).
    package struct DifferingRow: Sendable, Hashable, Codable {
        package enum Kind: String, Sendable, Codable, CaseIterable {
            case missingInCloud = "missing_in_cloud"
            case missingLocally = "missing_locally"
            case changed
        }

        package var key: RowKey
        package var kind: Kind
        /// The columns whose values differ (changed rows).
        package var columns: [String]
    }

    package var localRows = 0
    package var cloudRows = 0
    /// Key ranges whose digests were compared, and those that differed.
    package var rangesCompared = 0
    package var rangesDiffering = 0
    /// Rows that differ (all of them), and the first `listed` of them.
    package var differingRows = 0
    package var differences: [DifferingRow] = []
    /// With repair: rows made equal, and rows parked as conflicts (`manual`).
    package var repaired = 0
    package var parked = 0
    package var milliseconds = 0

    /// Rows that differ and were neither repaired nor parked.
    package var unsettled: Int { differingRows - repaired - parked }

    /// At most this many differing rows are listed.
    package static let listed = 100

    package init() {}
}

extension TableVerification.DifferingRow {
    /// The row a difference describes.
    init(_ difference: RowDifference) {
        key = difference.key
        switch (difference.local, difference.cloud) {
        case (_?, nil):
            kind = .missingInCloud
            columns = []
        case (nil, _):
            kind = .missingLocally
            columns = []
        case let (local?, cloud?):
            kind = .changed
            columns = local.keys.filter { name in cloud[name].map { $0 != local[name] } ?? false }.sorted()
        }
    }
}
