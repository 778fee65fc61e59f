import DatabaseConnectors

/// What a verification found in one table pair.
public struct TableVerification: Sendable, Hashable, Codable {
    /// One row that differs: missing on a side, or changed (with the columns that differ).
    public struct DifferingRow: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Codable, CaseIterable {
            case missingInCloud = "missing_in_cloud"
            case missingLocally = "missing_locally"
            case changed
        }

        public var key: RowKey
        public var kind: Kind
        /// The columns whose values differ (changed rows).
        public var columns: [String]
    }

    public var localRows = 0
    public var cloudRows = 0
    /// Key ranges whose digests were compared, and those that differed.
    public var rangesCompared = 0
    public var rangesDiffering = 0
    /// Rows that differ (all of them), and the first `listed` of them.
    public var differingRows = 0
    public var differences: [DifferingRow] = []
    /// With repair: rows made equal, and rows parked as conflicts (`manual`).
    public var repaired = 0
    public var parked = 0
    public var milliseconds = 0

    /// Rows that differ and were neither repaired nor parked.
    public var unsettled: Int { differingRows - repaired - parked }

    /// At most this many differing rows are listed.
    public static let listed = 100

    public init() {}
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
