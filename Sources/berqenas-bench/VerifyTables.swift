import BerqenasSync
import DatabaseConnectors
import Foundation

/// `berqenas-bench verify LOCAL_URL CLOUD_URL SCHEMA.TABLE`: runs a verification (no repair) of one table
/// between two PostgreSQL databases, as a verify job does, and prints rows, differing rows, ranges
/// compared and seconds. Used by `bench/verify.sh`.
enum VerifyTables {
    static func run(_ arguments: [String]) async throws {
        guard arguments.count >= 5 else {
            FileHandle.standardError.write(Data("usage: berqenas-bench verify LOCAL_URL CLOUD_URL SCHEMA.TABLE\n".utf8))
            exit(2)
        }
        let parts = arguments[4].split(separator: ".", maxSplits: 1).map(String.init)
        let ref = TableRef(schema: parts.count == 2 ? parts[0] : "public", name: parts.last ?? "")
        let local = try PostgresConnector(spec: SnapshotCopy.spec(arguments[2]))
        let cloud = try PostgresConnector(spec: SnapshotCopy.spec(arguments[3]))
        let runner = SyncRunner(local: local, cloud: cloud, origin: "bench", journal: ReadOnlyJournal())
        var results: [SyncTableResult] = []
        let elapsed = try await ContinuousClock().measure {
            results = try await runner.run(.verify, pairs: [SyncTablePair(local: ref, cloud: ref)], strategy: .localWins, dryRun: false)
        }
        await local.close()
        await cloud.close()
        guard let report = results.first?.verification else { throw ConnectorError(.invalidValue, "no verification") }
        let keys = report.differences.map { $0.key.map { "\($0)" }.joined(separator: ",") + ":" + $0.kind.rawValue }
        print(
            "rows=\(report.localRows) differing=\(report.differingRows) ranges=\(report.rangesCompared) "
                + "seconds=\(String(format: "%.3f", elapsed / .seconds(1))) keys=\(keys.joined(separator: ";"))")
    }
}

/// A journal for a verification without repair: nothing is saved, nothing is cancelled.
struct ReadOnlyJournal: SyncJournal {
    var keepsUndo: Bool { false }
    func cursor(of table: TableRef, side: SyncSide) async throws -> String? { nil }
    func saveCursor(_ cursor: String, of table: TableRef, side: SyncSide) async throws {}
    func checkpoint() async throws -> FullCopyCheckpoint? { nil }
    func saveCheckpoint(_ checkpoint: FullCopyCheckpoint?) async throws {}
    func recordUndo(_ entries: [UndoEntry]) async throws {}
    func parkedKeys(of table: SyncTablePair) async throws -> Set<RowKey> { [] }
    func recordConflicts(_ conflicts: [PlannedConflict], of table: SyncTablePair) async throws {}
    func report(progress: SyncProgress, results: [SyncTableResult]) async throws {}
    func checkCancelled() async throws {}
}
