import BerqenasTestSupport
import Foundation
import Testing

/// Tests that block run off Swift's cooperative pool (see `BlockingWorkTrait`).
struct BlockingWorkTraitTests {
    @Test(.blockingWork) func aTestUnderTheTraitRunsOnTheBlockingWorkThread() async throws {
        #expect(BlockingWorkThread.shared.isCurrent)
        // Still there after a suspension: the preference holds for the whole test.
        try await Task.sleep(for: .milliseconds(1))
        #expect(BlockingWorkThread.shared.isCurrent)
    }

    @Test func otherTestsRunOnThePool() {
        #expect(!BlockingWorkThread.shared.isCurrent)
    }
}
