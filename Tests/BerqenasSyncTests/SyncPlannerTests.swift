import DatabaseConnectors
import Testing

@testable import BerqenasSync

/// The planner's row-by-row decisions (pure).
@Suite struct SyncPlannerTests {
    func change(_ id: Int64, _ item: String?, at time: String = "2024-01-01 00:00:00+00:00", before: String? = "base") -> NetChange {
        NetChange(
            key: [.integer(id)], before: before.map { ["id": .integer(id), "item": .text($0)] },
            after: item.map { ["id": .integer(id), "item": .text($0)] }, capturedAt: time)
    }

    @Test func oneSidedChangesTravelToTheOtherSide() {
        let plan = SyncPlanner.plan(local: [change(1, "l")], cloud: [change(2, nil)], strategy: .manual)
        #expect(plan.toCloud.map(\.key) == [[.integer(1)]])
        #expect(plan.toLocal.map(\.key) == [[.integer(2)]])
        #expect(plan.conflicts.isEmpty)
    }

    @Test func theSameChangeOnBothSidesIsNoConflict() {
        let plan = SyncPlanner.plan(
            local: [change(1, "same"), change(2, nil)], cloud: [change(1, "same"), change(2, nil)],
            strategy: .manual)
        #expect(plan.identical == 2)
        #expect(plan.conflicts.isEmpty && plan.toCloud.isEmpty && plan.toLocal.isEmpty)
    }

    @Test(arguments: [(ConflictStrategy.cloudWins, SyncSide?.some(.cloud)), (.localWins, .local), (.manual, nil)])
    func eachStrategySettlesARowChangedOnBothSides(_ strategy: ConflictStrategy, _ expected: SyncSide?) {
        let plan = SyncPlanner.plan(local: [change(1, "local")], cloud: [change(1, "cloud")], strategy: strategy)
        #expect(plan.conflicts.count == 1)
        #expect(plan.conflicts.first?.winner == expected)
        #expect(plan.conflicts.first?.base?["item"] == .text("base"))
        #expect(plan.toCloud.count == (expected == .local ? 1 : 0))
        #expect(plan.toLocal.count == (expected == .cloud ? 1 : 0))
        #expect(plan.openConflicts == (expected == nil ? 1 : 0))
    }

    @Test func latestWinsComparesInstantsAcrossZonesAndFormats() {
        // 10:00+02:00 is 08:00Z: the cloud's 09:00Z (SQLite form) is later.
        let local = change(1, "local", at: "2024-01-01 10:00:00.000001+02:00")
        let cloud = change(1, "cloud", at: "2024-01-01T09:00:00.000Z")
        #expect(SyncPlanner.plan(local: [local], cloud: [cloud], strategy: .latestWins).conflicts.first?.winner == .cloud)
        let later = change(1, "local", at: "2024-01-01 09:00:00.001+00:00")
        #expect(SyncPlanner.plan(local: [later], cloud: [cloud], strategy: .latestWins).conflicts.first?.winner == .local)
        let tie = change(1, "local", at: "2024-01-01 09:00:00+00:00")
        #expect(
            SyncPlanner.plan(local: [tie], cloud: [cloud], strategy: .latestWins).conflicts.first?.winner == .cloud,
            "equal capture times go to the cloud")
    }

    @Test func aParkedRowStaysParkedWhateverTheStrategy() {
        let plan = SyncPlanner.plan(
            local: [change(1, "again")], cloud: [change(2, "free")], strategy: .localWins,
            parked: [[.integer(1)]])
        #expect(plan.toCloud.isEmpty)
        #expect(plan.conflicts.map(\.changedOn) == [[.local]])
        #expect(plan.toLocal.map(\.key) == [[.integer(2)]])
    }
}

@Suite struct ChangeNettingTests {
    let table = TableSchema(
        table: TableRef(schema: "public", name: "t"),
        columns: [
            .init(name: "id", nativeType: "", canonicalType: .integer(bits: 32)),
            .init(name: "v", nativeType: "", canonicalType: .text(length: nil, fixed: false, collation: nil)),
        ],
        primaryKey: ["id"])

    func record(_ op: ChangeOperation, old: (Int64, String)?, new: (Int64, String)?) -> ChangeRecord {
        ChangeRecord(
            sequence: 0, table: table.table, operation: op,
            newRow: new.map { ["id": .integer($0.0), "v": .text($0.1)] },
            oldRow: old.map { ["id": .integer($0.0), "v": .text($0.1)] }, capturedAt: "", origin: nil)
    }

    @Test func aRunFoldsToOneChangePerKeyAndKeyUpdatesSplit() throws {
        var netting = ChangeNetting(table: table)
        try netting.add([
            record(.insert, old: nil, new: (1, "a")),
            record(.update, old: (1, "a"), new: (1, "b")),
            record(.update, old: (1, "b"), new: (2, "b")),  // key update: 1 gone, 2 new
            record(.insert, old: nil, new: (3, "x")),
            record(.delete, old: (3, "x"), new: nil),  // inserted and deleted: nothing
            record(.update, old: (4, "p"), new: (4, "q")),
        ])
        let effective = netting.effective
        #expect(effective.map(\.key) == [[.integer(2)], [.integer(4)]])
        #expect(effective[0].before == nil && effective[0].after?["v"] == .text("b"))
        #expect(effective[1].before?["v"] == .text("p") && effective[1].after?["v"] == .text("q"))
        #expect(netting.changes[[.integer(1)]]?.isNoOp == true, "inserted then moved away: nothing to carry for key 1")
    }

    @Test func aTruncateIsRefusedWithAnActionableError() {
        var netting = ChangeNetting(table: table)
        #expect(throws: SyncError.self) { try netting.add([record(.truncate, old: nil, new: nil)]) }
    }
}

@Suite struct CaptureInstantTests {
    @Test func theThreeEnginesFormsReadAsTheSameInstant() {
        let postgres = CaptureInstant.microseconds("2024-06-30 12:34:56.123456+02:00")
        let sqlite = CaptureInstant.microseconds("2024-06-30T10:34:56.123456Z")
        let sqlServer = CaptureInstant.microseconds("2024-06-30 10:34:56.1234567 +00:00")
        #expect(postgres != nil && postgres == sqlite && sqlite == sqlServer)
        #expect(CaptureInstant.microseconds("1970-01-01 00:00:01+00:00") == 1_000_000)
        #expect(CaptureInstant.microseconds("not a time") == nil)
    }
}
