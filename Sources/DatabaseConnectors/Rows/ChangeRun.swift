/// A run of consecutive changes of one kind: applied as one statement per chunk, in order.
package enum ChangeRun: Sendable {
    case upserts([Row])
    case deletes([[CanonicalValue]])
}

extension Array where Element == RowChange {
    /// The changes as runs of upserts and deletes, keeping their order.
    package func runsByKind() -> [ChangeRun] {
        var runs: [ChangeRun] = []
        var index = startIndex
        while index < endIndex {
            if case .upsert = self[index] {
                var rows: [Row] = []
                while index < endIndex, case let .upsert(row) = self[index] {
                    rows.append(row)
                    index += 1
                }
                runs.append(.upserts(rows))
            } else {
                var keys: [[CanonicalValue]] = []
                while index < endIndex, case let .delete(key) = self[index] {
                    keys.append(key)
                    index += 1
                }
                runs.append(.deletes(keys))
            }
        }
        return runs
    }
}

extension Array where Element == RowChange {
    /// Applies the changes in order as statements of at most `maxParameters` bound values each:
    /// `upsert` gets slices of rows (binding `columns` values each), `delete` slices of keys.
    func applyInChunks(
        columns: Int, keyColumns: Int, maxParameters: Int,
        upsert: (ArraySlice<Row>) async throws -> Void,
        delete: (ArraySlice<[CanonicalValue]>) async throws -> Void
    ) async throws {
        for run in runsByKind() {
            switch run {
            case let .upserts(rows):
                for chunk in rows.chunked(Swift.max(1, maxParameters / Swift.max(1, columns))) { try await upsert(chunk) }
            case let .deletes(keys):
                for chunk in keys.chunked(Swift.max(1, maxParameters / Swift.max(1, keyColumns))) { try await delete(chunk) }
            }
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    package func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
