import DatabaseConnectors

/// What a rollback has done so far. A rollback reads a job's undo batches newest first, one at a time, so
/// its memory does not grow with the job; this is what it carries from one batch to the next (and, saved
/// with its checkpoint, from a server that died to the one that resumes it).
package struct RollbackTally: Sendable, Codable {
    /// How many rows `leftAlone` lists at most; `leftAloneCount` counts them all.
    package static let listLimit = 1_000

    /// Rows put back as the job found them (each once, however many batches of the job touched it; a row
    /// restored both before and after a resumption counts twice).
    package var restored: Int { restoredBefore + restoredRows.count }
    /// Rows left alone because they changed after the job (the first `listLimit`).
    package private(set) var leftAlone: [UndoImage] = []
    package private(set) var leftAloneCount = 0
    /// Every row left alone: no older batch may touch it either.
    private var leftAloneRows: Set<String> = []
    /// Rows restored before the last resumption.
    private var restoredBefore = 0
    /// Hashes of the rows restored since (eight bytes a row; not saved).
    private var restoredRows: Set<Int> = []

    enum CodingKeys: String, CodingKey { case leftAlone, leftAloneCount, leftAloneRows, restoredBefore }

    package init() {}

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        leftAlone = try container.decode([UndoImage].self, forKey: .leftAlone)
        leftAloneCount = try container.decode(Int.self, forKey: .leftAloneCount)
        leftAloneRows = try container.decode(Set<String>.self, forKey: .leftAloneRows)
        restoredBefore = try container.decode(Int.self, forKey: .restoredBefore)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leftAlone, forKey: .leftAlone)
        try container.encode(leftAloneCount, forKey: .leftAloneCount)
        try container.encode(leftAloneRows, forKey: .leftAloneRows)
        try container.encode(restored, forKey: .restoredBefore)
    }

    func isLeftAlone(_ identity: String) -> Bool { leftAloneRows.contains(identity) }

    mutating func markRestored(_ identity: String) { restoredRows.insert(identity.hashValue) }

    mutating func leaveAlone(_ image: UndoImage, identity: String) {
        guard leftAloneRows.insert(identity).inserted else { return }
        leftAloneCount += 1
        if leftAlone.count < Self.listLimit { leftAlone.append(image) }
    }
}

extension SyncRunner {
    /// Undoes one batch of a job's changes; call it for the job's batches newest first.
    ///
    /// Newest first, each row goes back one step per batch that changed it, and only while it still holds
    /// what that batch wrote: a row changed after the job is left alone, and no older batch touches it (even
    /// one whose image it happens to match again). `resumed`: an earlier attempt may have restored part of
    /// this batch before it stopped, so a row already holding what the batch found counts as restored.
    package func rollback(_ batch: [UndoImage], resumed: Bool = false, tally: inout RollbackTally) async throws {
        let groups = Dictionary(grouping: batch) { SideTable(side: $0.side, table: $0.table) }
        for (target, group) in groups.sorted(by: { $0.key.table.description < $1.key.table.description }) {
            let connector = connector(target.side)
            let table = try await connector.describeTable(target.table)
            let found = try await images(connector, table, keys: group.map(\.key))
            var changes: [NetChange] = []
            var seen: Set<RowKey> = []
            // A batch holds one image per row; were a row there twice, its first image is what the batch found.
            for image in group where seen.insert(image.key).inserted {
                let identity = image.identity
                guard !tally.isLeftAlone(identity) else { continue }
                let now = found[image.key]
                if image.isStill(now) {
                    changes.append(NetChange(key: image.key, before: now, after: image.before, capturedAt: ""))
                    tally.markRestored(identity)
                } else if resumed, sameRow(image.before, now) {
                    tally.markRestored(identity)
                } else {
                    tally.leaveAlone(image, identity: identity)
                }
            }
            try await journal.checkCancelled()
            try await write(changes, to: target.side, table, known: found, recordUndo: true)
        }
    }
}
